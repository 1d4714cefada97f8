"""Typed SDK errors. Every error from the server carries its gRPC status `code` and `message`."""
from __future__ import annotations

import grpc


class AdaptError(Exception):
    """Base class. `code` is a grpc.StatusCode (None for client-side errors), `message` says what to fix.
    `retry_after_s`: seconds after which the server said a retry may succeed (a RESOURCE_EXHAUSTED refusal of
    admission control), else None."""

    def __init__(self, message: str, code: grpc.StatusCode | None = None, retry_after_s: float | None = None):
        super().__init__(f"{code.name}: {message}" if code else message)
        self.code = code
        self.message = message
        self.retry_after_s = retry_after_s


class InvalidArgumentError(AdaptError): ...
class NotFoundError(AdaptError): ...
class AlreadyExistsError(AdaptError): ...
class PermissionDeniedError(AdaptError): ...
class FailedPreconditionError(AdaptError): ...
class ResourceExhaustedError(AdaptError):
    """A quota or limit refused the call; `retry_after_s` says when a retry may succeed (None: retrying the
    same call will not help, e.g. a request too large)."""

    retry_after_s: float | None = None
class UnauthenticatedError(AdaptError): ...
class UnavailableError(AdaptError): ...
class UnimplementedError(AdaptError): ...
class AbortedError(AdaptError): ...
class DeadlineExceededError(AdaptError): ...
class InternalError(AdaptError): ...


class JobFailedError(AdaptError):
    """wait() saw the resource end FAILED; `resource` is the final resource, `code` the server's reason code."""

    def __init__(self, resource, code_name: str, message: str):
        code = getattr(grpc.StatusCode, code_name, grpc.StatusCode.UNKNOWN)
        super().__init__(f"{resource.id} failed: {message}", code)
        self.resource = resource


class JobCancelledError(AdaptError):
    """wait() saw the resource end CANCELLED."""

    def __init__(self, resource):
        super().__init__(f"{resource.id} was cancelled")
        self.resource = resource


class WaitTimeoutError(AdaptError, TimeoutError):
    """wait(timeout=...) ran out before the resource finished."""


_BY_CODE = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgumentError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.UNIMPLEMENTED: UnimplementedError,
    grpc.StatusCode.ABORTED: AbortedError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
}


RETRY_AFTER_KEY = "retry-after-s"          # trailing metadata: seconds, a decimal string
STATUS_DETAILS_KEY = "grpc-status-details-bin"  # google.rpc.Status with a google.rpc.RetryInfo


def retry_after_s(error: grpc.RpcError) -> float | None:
    """The retry hint of a refusal: google.rpc.RetryInfo in the status details, else `retry-after-s`."""
    trailers = dict(error.trailing_metadata() or ()) if hasattr(error, "trailing_metadata") else {}
    details = trailers.get(STATUS_DETAILS_KEY)
    if details:
        try:
            from google.rpc import error_details_pb2, status_pb2
            for detail in status_pb2.Status.FromString(details).details:
                info = error_details_pb2.RetryInfo()
                if detail.Unpack(info):
                    return info.retry_delay.ToNanoseconds() / 1e9
        except Exception:  # a malformed trailer: fall back to the plain one
            pass
    try:
        return float(trailers[RETRY_AFTER_KEY])
    except (KeyError, TypeError, ValueError):
        return None


def from_rpc_error(error: grpc.RpcError) -> AdaptError:
    code = error.code()
    return _BY_CODE.get(code, InternalError)(error.details() or "", code, retry_after_s(error))
