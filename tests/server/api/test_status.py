"""Domain errors -> canonical gRPC status codes, through a real grpc.aio server on loopback (testkit.status_server,
in a spawned process): every AdaptError keeps its code and message, gRPC's own aborts pass through, anything
unexpected is INTERNAL with a reference id only, a refusal with a retry hint carries it in its trailers."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import grpc
import pytest

from google.rpc import error_details_pb2, status_pb2

from adapt_server.api.status import RETRY_AFTER_KEY, STATUS_DETAILS_KEY, grpc_code
from testkit.status_server import DOMAIN_ERRORS, RAISES, SUBCLASSED_ERRORS, call_all

CALL_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def outcomes():
    """(method, class name) -> (status code name, details, messages received before the status)."""
    names = ["", "ZeroDivisionError", "RetryLater", *RAISES]
    requests = [(method, name.encode()) for method in ("Unary", "Stream") for name in names] + [("Abort", b"")]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = pool.submit(call_all, requests).result(timeout=CALL_TIMEOUT_S)
    return dict(zip([(method, request.decode()) for method, request in requests], results))


@pytest.mark.parametrize("error", [*DOMAIN_ERRORS, *SUBCLASSED_ERRORS], ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("method", ["Unary", "Stream"])
def test_a_domain_error_keeps_its_code_and_message(outcomes, method, error):
    code, details = outcomes[(method, error.__name__)][:2]
    assert code == error.code and code != "INTERNAL"
    assert details == f"what to fix for {error.__name__}"


def test_every_status_name_of_the_domain_errors_is_a_grpc_code():
    assert {cls.code for cls in DOMAIN_ERRORS} == {
        "INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "FAILED_PRECONDITION",
        "UNAUTHENTICATED", "ABORTED", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "CANCELLED", "DEADLINE_EXCEEDED"}
    assert all(grpc_code(cls.code).name == cls.code for cls in DOMAIN_ERRORS)
    assert grpc_code("NO_SUCH_CODE") == grpc.StatusCode.INTERNAL


@pytest.mark.parametrize("method", ["Unary", "Stream"])
def test_an_unexpected_exception_is_internal_with_a_reference_only(outcomes, method):
    """No exception type or text, no server path, no traceback reaches the client (issue 16, defect 12 part):
    a short reference the server log files the traceback under."""
    code, details = outcomes[(method, "ZeroDivisionError")][:2]
    assert code == "INTERNAL" and details.startswith("internal error (reference ")
    assert "ZeroDivision" not in details and "division" not in details and "/" not in details
    assert "Traceback" not in details and ".py" not in details
    assert outcomes[(method, "AdaptError")][0] == "INTERNAL"  # the base class has no status of its own


@pytest.mark.parametrize("method", ["Unary", "Stream"])
def test_a_refusal_carries_its_retry_hint(outcomes, method):
    code, details, _, trailers = outcomes[(method, "RetryLater")]
    assert (code, details) == ("RESOURCE_EXHAUSTED", "full: retry later")
    assert trailers[RETRY_AFTER_KEY] == "1.5"
    status = status_pb2.Status.FromString(trailers[STATUS_DETAILS_KEY])
    assert status.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0] and status.message == details
    info = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(info) and info.retry_delay.ToNanoseconds() == 1_500_000_000


def test_success_and_streams_deliver_what_came_before_the_error(outcomes):
    assert outcomes[("Unary", "")] == ("OK", "", [b"ok"])
    assert outcomes[("Stream", "")] == ("OK", "", [b"first", b"last"])
    assert outcomes[("Stream", "NotFound")][2] == [b"first"]


def test_the_servicers_own_abort_passes_through(outcomes):
    assert outcomes[("Abort", "")][:2] == ("OUT_OF_RANGE", "aborted by the servicer itself")
