"""Domain errors -> canonical gRPC status codes, through a real grpc.aio server on loopback: every AdaptError
keeps its code and message, gRPC's own aborts pass through, anything unexpected is INTERNAL."""
from __future__ import annotations

import asyncio

import grpc
import pytest

from adapt_server import errors
from adapt_server.api.status import grpc_code, handle_errors
from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType
from adapt_server.errors import AdaptError
from adapt_server.intake.sources.s3 import ObjectMissing

SERVICE = "adapt.test.Errors"
DOMAIN_ERRORS = [cls for cls in vars(errors).values()
                 if isinstance(cls, type) and issubclass(cls, AdaptError) and cls is not AdaptError]


class ErrorsServicer:
    """request: the name of an exception class to raise (b"" raises nothing)."""

    RAISES = {cls.__name__: cls for cls in [AdaptError, *DOMAIN_ERRORS, ModelLoadError, UnsupportedComputeType,
                                            ObjectMissing]}

    def _raise(self, name: str) -> None:
        if name == "ZeroDivisionError":
            1 / 0
        if name:
            raise self.RAISES[name](f"what to fix for {name}")

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


async def _call_all(requests: list[tuple[str, bytes]]) -> list[tuple[grpc.StatusCode, str, list[bytes]]]:
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
                    results.append((grpc.StatusCode.OK, "", received))
                except grpc.aio.AioRpcError as error:
                    results.append((error.code(), error.details(), received))
    finally:
        await server.stop(None)
    return results


@pytest.fixture(scope="module")
def outcomes():
    """(method, class name) -> (status code, details, messages received before the error)."""
    names = ["", "ZeroDivisionError", *ErrorsServicer.RAISES]
    requests = [(method, name.encode()) for method in ("Unary", "Stream") for name in names] + [("Abort", b"")]
    return dict(zip([(method, request.decode()) for method, request in requests], asyncio.run(_call_all(requests))))


@pytest.mark.parametrize("error", [*DOMAIN_ERRORS, ModelLoadError, UnsupportedComputeType, ObjectMissing],
                         ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("method", ["Unary", "Stream"])
def test_a_domain_error_keeps_its_code_and_message(outcomes, method, error):
    code, details, _ = outcomes[(method, error.__name__)]
    assert code == getattr(grpc.StatusCode, error.code) and code != grpc.StatusCode.INTERNAL
    assert details == f"what to fix for {error.__name__}"


def test_every_status_name_of_the_domain_errors_is_a_grpc_code():
    assert {cls.code for cls in DOMAIN_ERRORS} == {
        "INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "FAILED_PRECONDITION",
        "UNAUTHENTICATED", "ABORTED"}
    assert all(grpc_code(cls.code).name == cls.code for cls in DOMAIN_ERRORS)
    assert grpc_code("NO_SUCH_CODE") == grpc.StatusCode.INTERNAL


@pytest.mark.parametrize("method", ["Unary", "Stream"])
def test_an_unexpected_exception_is_internal_with_its_type(outcomes, method):
    code, details, _ = outcomes[(method, "ZeroDivisionError")]
    assert code == grpc.StatusCode.INTERNAL and details.startswith("ZeroDivisionError: ")
    assert outcomes[(method, "AdaptError")][0] == grpc.StatusCode.INTERNAL  # the base class has no status of its own


def test_success_and_streams_deliver_what_came_before_the_error(outcomes):
    assert outcomes[("Unary", "")] == (grpc.StatusCode.OK, "", [b"ok"])
    assert outcomes[("Stream", "")] == (grpc.StatusCode.OK, "", [b"first", b"last"])
    assert outcomes[("Stream", "NotFound")][2] == [b"first"]


def test_the_servicers_own_abort_passes_through(outcomes):
    assert outcomes[("Abort", "")][:2] == (grpc.StatusCode.OUT_OF_RANGE, "aborted by the servicer itself")
