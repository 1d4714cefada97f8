"""Errors of loading and running engines, carrying the canonical status the API layer maps to gRPC."""
from __future__ import annotations

from adapt_server.errors import Cancelled, FailedPrecondition, InvalidArgument


class ModelLoadError(FailedPrecondition):
    """A model directory cannot be loaded as a Whisper engine; the message names it and what to fix."""


class UnsupportedComputeType(InvalidArgument):
    """The compute type is unknown, or not supported on the engine's device; the message lists the valid ones."""


class DecodeCancelled(Cancelled):
    """The caller's cancellation token fired: decoding stopped between two windows or batches."""
