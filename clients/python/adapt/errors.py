"""Typed SDK errors. Every error from the server carries its gRPC status `code` and `message`."""
from __future__ import annotations

import grpc


class AdaptError(Exception):
    """Base class. `code` is a grpc.StatusCode (None for client-side errors), `message` says what to fix."""

    def __init__(self, message: str, code: grpc.StatusCode | None = None):
        super().__init__(f"{code.name}: {message}" if code else message)
        self.code = code
        self.message = message


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


def from_rpc_error(error: grpc.RpcError) -> AdaptError:
    code = error.code()
    result = _BY_CODE.get(code, InternalError)(error.details() or "", code)
    if isinstance(result, ResourceExhaustedError):
        trailing = dict(error.trailing_metadata() or ()) if hasattr(error, "trailing_metadata") else {}
        try:
            result.retry_after_s = float(trailing["retry-after-s"])
        except (KeyError, ValueError):
            pass
    return result
