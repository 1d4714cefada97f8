"""A real grpc.aio server on loopback whose methods raise the errors a test names, for the tests of
`adapt_server.api.status`. `call_all` runs in a spawned child process: gRPC's threads never start in the pytest
process, whose other tests fork children (the decoder fuzz harness)."""
from __future__ import annotations

import asyncio

import grpc

from adapt_server import errors
from adapt_server.api.status import handle_errors
from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType
from adapt_server.errors import AdaptError
from adapt_server.intake.sources.s3 import ObjectMissing

SERVICE = "adapt.test.Errors"
DOMAIN_ERRORS = [cls for cls in vars(errors).values()
                 if isinstance(cls, type) and issubclass(cls, AdaptError) and cls is not AdaptError]
SUBCLASSED_ERRORS = [ModelLoadError, UnsupportedComputeType, ObjectMissing]  # domain errors of other packages
RAISES = {cls.__name__: cls for cls in [AdaptError, *DOMAIN_ERRORS, *SUBCLASSED_ERRORS]}


class ErrorsServicer:
    """request: the name of an exception class to raise (b"" raises nothing)."""

    @staticmethod
    def _raise(name: str) -> None:
        if name == "ZeroDivisionError":
            1 / 0
        if name == "RetryLater":
            raise errors.ResourceExhausted("full: retry later", retry_after_s=1.5)
        if name:
            raise RAISES[name](f"what to fix for {name}")

    @handle_errors
    async def Unary(self, request: bytes, context) -> bytes:
        self._raise(request.decode())
        return b"ok"

    @handle_errors
    async def Stream(self, request: bytes, context):
        yield b"first"
        self._raise(request.decode())
        yield b"last"

    @handle_errors
    async def Abort(self, request: bytes, context) -> bytes:
        await context.abort(grpc.StatusCode.OUT_OF_RANGE, "aborted by the servicer itself")


async def _call_all(requests: list[tuple[str, bytes]]) -> list[tuple[str, str, list[bytes]]]:
    servicer = ErrorsServicer()
    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "Unary": grpc.unary_unary_rpc_method_handler(servicer.Unary),
        "Stream": grpc.unary_stream_rpc_method_handler(servicer.Stream),
        "Abort": grpc.unary_unary_rpc_method_handler(servicer.Abort)})
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    results = []
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            for method, request in requests:
                received = []
                try:
                    if method == "Stream":
                        async for item in channel.unary_stream(f"/{SERVICE}/Stream")(request):
                            received.append(item)
                    else:
                        received.append(await channel.unary_unary(f"/{SERVICE}/{method}")(request))
                    results.append(("OK", "", received))
                except grpc.aio.AioRpcError as error:
                    trailers = {key: value for key, value in (error.trailing_metadata() or ())}
                    results.append((error.code().name, error.details(), received, trailers))
    finally:
        await server.stop(None)
    return results


def call_all(requests: list[tuple[str, bytes]]) -> list[tuple]:
    """(method, request) pairs -> (status code name, details, messages received before the status[, trailing
    metadata of an error]), in order."""
    return asyncio.run(_call_all(requests))
