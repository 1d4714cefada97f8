"""The grpc.aio server interceptor that counts and times every RPC (observability/metrics.py): requests by
method and status code, latency, and streaming RPCs in flight. It is the outermost interceptor, so it sees
what the others decide too (an RPC refused for a missing API key counts as UNAUTHENTICATED)."""
from __future__ import annotations

import inspect
import time

import grpc

from adapt_server.observability import metrics

_FACTORIES = {
    (False, False): grpc.unary_unary_rpc_method_handler,
    (False, True): grpc.unary_stream_rpc_method_handler,
    (True, False): grpc.stream_unary_rpc_method_handler,
    (True, True): grpc.stream_stream_rpc_method_handler,
}
_BEHAVIOURS = {
    (False, False): "unary_unary", (False, True): "unary_stream",
    (True, False): "stream_unary", (True, True): "stream_stream",
}


def _code(context, error: BaseException | None) -> str:
    """The status the RPC ended with: what the context was given (abort or set_code), else OK, or UNKNOWN
    for an exception that escaped the servicer."""
    code = context.code() if hasattr(context, "code") else None
    if isinstance(code, grpc.StatusCode):
        return code.name
    if isinstance(code, int):  # grpc.aio keeps the numeric value in some versions
        return next((c.name for c in grpc.StatusCode if c.value[0] == code), "UNKNOWN")
    if error is None:
        return "OK"
    return "CANCELLED" if isinstance(error, (GeneratorExit, asyncio_cancelled())) else "UNKNOWN"


def asyncio_cancelled():
    import asyncio
    return asyncio.CancelledError


class MetricsInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        shape = (handler.request_streaming, handler.response_streaming)
        behaviour = getattr(handler, _BEHAVIOURS[shape])
        streaming = handler.request_streaming or handler.response_streaming
        if handler.response_streaming and inspect.isasyncgenfunction(behaviour):
            async def wrapped(request_or_iterator, context):
                started, error = _start(method, streaming), None
                try:
                    async for response in behaviour(request_or_iterator, context):
                        yield response
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    _finish(method, streaming, context, error, started)
        else:
            async def wrapped(request_or_iterator, context):
                started, error = _start(method, streaming), None
                try:
                    return await behaviour(request_or_iterator, context)
                except BaseException as exc:
                    error = exc
                    raise
                finally:
                    _finish(method, streaming, context, error, started)
        return _FACTORIES[shape](wrapped, request_deserializer=handler.request_deserializer,
                                 response_serializer=handler.response_serializer)


def _start(method: str, streaming: bool) -> float:
    if streaming:
        metrics.stream_started(method)
    return time.perf_counter()


def _finish(method: str, streaming: bool, context, error: BaseException | None, started: float) -> None:
    if streaming:
        metrics.stream_ended(method)
    metrics.rpc_done(method, _code(context, error), time.perf_counter() - started)
