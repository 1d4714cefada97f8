"""Maps domain errors to canonical gRPC status codes; the only place that knows both.

- An AdaptError aborts with its code and message. A RESOURCE_EXHAUSTED refusal with a retry hint
  (errors.ResourceExhausted.retry_after_s) also carries it twice: as `retry-after-s` trailing metadata (seconds,
  a decimal string) and as a google.rpc.RetryInfo in the standard `grpc-status-details-bin` trailer, which the
  SDKs read (adapt.ResourceExhaustedError.retry_after_s).
- Anything unexpected is a bug: the client gets INTERNAL with a short reference id only (no server path, no
  traceback, no exception text), and the server log gets the traceback under that reference.
- Every unary or server-streaming request is checked against the request bounds first (api/limits.py); a
  message of a client stream that does not parse is INVALID_ARGUMENT.
"""
from __future__ import annotations

import functools
import inspect
import logging
import secrets

import grpc
from google.protobuf import duration_pb2
from google.protobuf.message import DecodeError, Message
from google.rpc import error_details_pb2, status_pb2

from adapt_server.api.limits import check_request
from adapt_server.errors import AdaptError, ResourceExhausted

log = logging.getLogger("adapt.api")
RETRY_AFTER_KEY = "retry-after-s"
STATUS_DETAILS_KEY = "grpc-status-details-bin"


def grpc_code(name: str) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, name, grpc.StatusCode.INTERNAL)


def retry_trailers(code: grpc.StatusCode, message: str, retry_after_s: float) -> tuple[tuple[str, object], ...]:
    """Trailing metadata of a refusal that may be retried after retry_after_s seconds."""
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(retry_after_s * 1e9))
    info = error_details_pb2.RetryInfo(retry_delay=delay)
    status = status_pb2.Status(code=code.value[0], message=message)
    status.details.add().Pack(info)
    return ((RETRY_AFTER_KEY, f"{retry_after_s:g}"), (STATUS_DETAILS_KEY, status.SerializeToString()))


def internal_reference() -> str:
    return secrets.token_hex(4)


def internal_message(reference: str) -> str:
    return (f"internal error (reference {reference}): this is a bug in the server, not in your request; its log has "
            "the details under that reference")


async def _abort_for(exc: Exception, context, method_name: str) -> None:
    """AdaptError -> its status code and message; anything unexpected -> INTERNAL with a reference id (and the
    traceback in the log). gRPC's own aborts pass through."""
    if isinstance(exc, (grpc.aio.AbortError, grpc.RpcError)):
        raise exc
    if isinstance(exc, DecodeError):  # a message of a client stream that does not parse
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                            f"{method_name}: a request message is not a valid protobuf message of this method's "
                            "type (corrupt or truncated); send messages built from the adapt.v1 protos")
    if isinstance(exc, AdaptError):
        code = grpc_code(exc.code)
        if isinstance(exc, ResourceExhausted) and exc.retry_after_s is not None:
            await context.abort(code, exc.message, trailing_metadata=retry_trailers(code, exc.message,
                                                                                     exc.retry_after_s))
        await context.abort(code, exc.message)
    reference = internal_reference()
    log.error("%s failed (reference %s)", method_name, reference, exc_info=exc)
    await context.abort(grpc.StatusCode.INTERNAL, internal_message(reference))


def _check(request) -> None:
    if isinstance(request, Message):
        check_request(request)


async def abort_for(exc: Exception, context, method_name: str) -> None:
    """Aborts the call with the status of `exc` (as `handle_errors` does), for code outside a servicer."""
    await _abort_for(exc, context, method_name)


def handle_errors(method):
    """Wraps a unary or server-streaming aio servicer method with the request bounds and `_abort_for`."""
    if inspect.isasyncgenfunction(method):
        @functools.wraps(method)
        async def stream_wrapper(self, request, context):
            try:
                _check(request)
                async for item in method(self, request, context):
                    yield item
            except Exception as exc:
                await _abort_for(exc, context, method.__name__)
        return stream_wrapper

    @functools.wraps(method)
    async def unary_wrapper(self, request, context):
        try:
            _check(request)
            return await method(self, request, context)
        except Exception as exc:
            await _abort_for(exc, context, method.__name__)
    return unary_wrapper
