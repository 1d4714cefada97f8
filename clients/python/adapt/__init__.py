"""Adapt Python SDK: `client = adapt.Client("localhost:50051")`, then client.datasets, client.models."""
from adapt._version import distribution_version
from adapt.client import Client
from adapt.errors import (AbortedError, AdaptError, AlreadyExistsError, DeadlineExceededError,
                          FailedPreconditionError, InternalError, InvalidArgumentError, JobCancelledError,
                          JobFailedError, NotFoundError, PermissionDeniedError, ResourceExhaustedError,
                          UnauthenticatedError, UnavailableError, UnimplementedError, WaitTimeoutError)
from adapt.resources import Dataset, DatasetStats, Event, Model, Recording, State
from adapt._deployments import Deployment, DeploymentRevision
from adapt._fine_tunes import FineTune
from adapt._evaluations import Evaluation, Leaderboard
from adapt._lineage import Lineage, Revocation
from adapt._synthesis import Speech, SpeechChunk
from adapt._voices import ConsentRecord, Voice

__all__ = ["Client", "AbortedError", "AdaptError", "AlreadyExistsError", "DeadlineExceededError",
           "FailedPreconditionError", "InternalError", "InvalidArgumentError", "JobCancelledError",
           "JobFailedError", "NotFoundError", "PermissionDeniedError", "ResourceExhaustedError",
           "UnauthenticatedError", "UnavailableError", "UnimplementedError", "WaitTimeoutError", "Dataset", "DatasetStats", "Event",
           "Model", "Recording", "State", "Deployment", "DeploymentRevision", "FineTune",
           "Evaluation", "Leaderboard", "Voice", "ConsentRecord", "Speech", "SpeechChunk", "Lineage", "Revocation"]
__version__ = distribution_version("adapt-sdk")
