"""Domain errors that carry a canonical gRPC status name and a message telling the user what to fix.

Nothing below `adapt_server.api` imports grpc: the API layer maps `AdaptError.code` (a status name such as
"INVALID_ARGUMENT") to `grpc.StatusCode`.
"""
from __future__ import annotations


class AdaptError(Exception):
    """Base class: `code` is a canonical gRPC status name, `message` says what to fix."""

    code = "INTERNAL"

    def __init__(self, message: str):
        message = truncated(message, MAX_MESSAGE_CHARS)
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
    """Refused for lack of capacity (admission control): `retry_after_s` is when a retry may succeed."""

    code = "RESOURCE_EXHAUSTED"

    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unavailable(AdaptError):
    """The server cannot take this request now (starting, shutting down); a retry later may succeed."""

    code = "UNAVAILABLE"


class Cancelled(AdaptError):
    """The work was cancelled (the client went away, or the server is shutting down)."""

    code = "CANCELLED"


class DeadlineExceeded(AdaptError):
    """The request's deadline passed before its work finished; the work was stopped."""

    code = "DEADLINE_EXCEEDED"


# ---------------------------------------------------------------------------------------------------- echoes
# A message that echoes what the client sent must stay small: status messages travel in HTTP/2 trailers,
# where gRPC allows 16 KiB in all, and past that the client gets "Stream removed" instead of the real error.
MAX_ECHO_CHARS = 200      # characters of an echoed request value (its repr)
MAX_MESSAGE_CHARS = 2000  # characters of a whole error message (the backstop for any echo not cut by `echo`)


def truncated(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the cut marked "... (N more characters)"."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def echo(value, limit: int = MAX_ECHO_CHARS) -> str:
    """repr(value) for an error message, cut to `limit` characters (see `truncated`). Every message that
    quotes a request value goes through this, so a 1 MB id or a list of 10,000 items stays a short message."""
    return truncated(repr(value), limit)
