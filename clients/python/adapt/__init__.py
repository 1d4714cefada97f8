"""Adapt Python SDK: `client = adapt.Client("localhost:50051")`, then client.datasets, client.models."""
from adapt.client import Client
from adapt.errors import (AdaptError, AlreadyExistsError, FailedPreconditionError, InvalidArgumentError,
                          JobCancelledError, JobFailedError, NotFoundError, PermissionDeniedError,
                          UnauthenticatedError, UnavailableError, WaitTimeoutError)
from adapt.resources import Dataset, DatasetStats, Event, Model, Recording, State

__all__ = ["Client", "AdaptError", "AlreadyExistsError", "FailedPreconditionError", "InvalidArgumentError",
           "JobCancelledError", "JobFailedError", "NotFoundError", "PermissionDeniedError",
           "UnauthenticatedError", "UnavailableError", "WaitTimeoutError", "Dataset", "DatasetStats", "Event",
           "Model", "Recording", "State"]
__version__ = "0.1.0"
