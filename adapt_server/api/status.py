"""Maps domain errors to canonical gRPC status codes; the only place that knows both."""
from __future__ import annotations

import functools
import inspect
import logging

import grpc

from adapt_server.errors import AdaptError

log = logging.getLogger("adapt.api")
RETRY_AFTER = "retry-after-s"  # trailing metadata of RESOURCE_EXHAUSTED: seconds until a retry may succeed


def grpc_code(name: str) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, name, grpc.StatusCode.INTERNAL)


async def _abort_for(exc: Exception, context, method_name: str) -> None:
    """AdaptError -> its status code and message; anything unexpected -> INTERNAL with the exception's type
    and text (and a logged traceback). gRPC's own aborts pass through."""
    if isinstance(exc, (grpc.aio.AbortError, grpc.RpcError)):
        raise exc
    if isinstance(exc, AdaptError):
        retry_after_s = getattr(exc, "retry_after_s", None)
        if retry_after_s is not None:  # ResourceExhausted: when trying again may succeed
            context.set_trailing_metadata(((RETRY_AFTER, f"{retry_after_s:g}"),))
        await context.abort(grpc_code(exc.code), exc.message)
    log.error("%s failed", method_name, exc_info=exc)
    await context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")


async def abort_for(exc: Exception, context, method_name: str) -> None:
    """Aborts the call with the status of `exc` (as `handle_errors` does), for code outside a servicer."""
    await _abort_for(exc, context, method_name)


def handle_errors(method):
    """Wraps a unary or server-streaming aio servicer method with `_abort_for`."""
    if inspect.isasyncgenfunction(method):
        @functools.wraps(method)
        async def stream_wrapper(self, request, context):
            try:
                async for item in method(self, request, context):
                    yield item
            except Exception as exc:
                await _abort_for(exc, context, method.__name__)
        return stream_wrapper

    @functools.wraps(method)
    async def unary_wrapper(self, request, context):
        try:
            return await method(self, request, context)
        except Exception as exc:
            await _abort_for(exc, context, method.__name__)
    return unary_wrapper
