"""Optional API-key check: with --api-key set, every RPC except health needs `authorization: Bearer KEY`."""
from __future__ import annotations

import hmac

import grpc

OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/",)
DENIED = ("missing or wrong API key: pass api_key=... to adapt.Client (or set ADAPT_API_KEY) so that "
          "requests carry 'authorization: Bearer <key>'")


async def _deny_unary(request_or_iterator, context):
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)


async def _deny_stream(request_or_iterator, context):
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, DENIED)
    yield  # never reached; makes this an async generator


_DENY_FACTORIES = {
    (False, False): (grpc.unary_unary_rpc_method_handler, _deny_unary),
    (False, True): (grpc.unary_stream_rpc_method_handler, _deny_stream),
    (True, False): (grpc.stream_unary_rpc_method_handler, _deny_unary),
    (True, True): (grpc.stream_stream_rpc_method_handler, _deny_stream),
}


class ApiKeyInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, api_key: str):
        self._expected = f"Bearer {api_key}".encode()

    async def intercept_service(self, continuation, handler_call_details):
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(OPEN_METHOD_PREFIXES):
            return handler
        metadata = dict(handler_call_details.invocation_metadata or ())
        if hmac.compare_digest(str(metadata.get("authorization", "")).encode(), self._expected):
            return handler
        factory, behaviour = _DENY_FACTORIES[(handler.request_streaming, handler.response_streaming)]
        return factory(behaviour, request_deserializer=handler.request_deserializer,
                       response_serializer=handler.response_serializer)
