"""Domain errors that carry a canonical gRPC status name and a message telling the user what to fix.

Nothing below `adapt_server.api` imports grpc: the API layer maps `AdaptError.code` (a status name such as
"INVALID_ARGUMENT") to `grpc.StatusCode`.
"""
from __future__ import annotations


class AdaptError(Exception):
    """Base class: `code` is a canonical gRPC status name, `message` says what to fix."""

    code = "INTERNAL"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidArgument(AdaptError):
    code = "INVALID_ARGUMENT"


class NotFound(AdaptError):
    code = "NOT_FOUND"


class AlreadyExists(AdaptError):
    code = "ALREADY_EXISTS"


class PermissionDenied(AdaptError):
    code = "PERMISSION_DENIED"


class FailedPrecondition(AdaptError):
    code = "FAILED_PRECONDITION"


class Unauthenticated(AdaptError):
    code = "UNAUTHENTICATED"


class Aborted(AdaptError):
    code = "ABORTED"


class ResourceExhausted(AdaptError):
    """A quota or limit refused the call; `retry_after_s` (when set) says when trying again may succeed, and
    the API layer sends it to the client as the `retry-after-s` trailing metadata."""

    code = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s
