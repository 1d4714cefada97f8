"""DecodeTurns: finals before requests before interims, interims wait a bounded time, a cancelled waiter leaves."""
from __future__ import annotations

import threading
import time

import pytest

from adapt_server.errors import Cancelled
from adapt_server.speech.cancel import CancelToken
from adapt_server.speech.turns import FINAL, INTERIM, REQUEST, DecodeTurns


def _waiter(turns: DecodeTurns, priority: int, order: list[str], name: str) -> threading.Thread:
    def run():
        with turns.turn(priority):
            order.append(name)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _wait_until(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.005)


def test_a_final_goes_before_a_request_that_waited_longer():
    turns = DecodeTurns(1)
    order: list[str] = []
    with turns.turn(REQUEST):  # the model is busy
        request = _waiter(turns, REQUEST, order, "request")
        _wait_until(lambda: turns._waiting[REQUEST] == 1)
        final = _waiter(turns, FINAL, order, "final")
        _wait_until(lambda: turns._waiting[FINAL] == 1)
    request.join(5)
    final.join(5)
    assert order == ["final", "request"]


def test_with_two_slots_the_last_is_kept_for_a_final():
    turns = DecodeTurns(2)
    order: list[str] = []
    with turns.turn(REQUEST):
        request = _waiter(turns, REQUEST, order, "second request")
        _wait_until(lambda: turns._waiting[REQUEST] == 1)
        assert not turns.interim_turn(0.05), "an interim would take the final's slot"
        with turns.turn(FINAL):  # enters at once beside the request
            order.append("final")
        assert order == ["final"], "the second request waited for the first"
    request.join(5)
    assert order == ["final", "second request"]


def test_an_interim_waits_behind_requests_and_gives_up_after_its_wait():
    turns = DecodeTurns(1)
    with turns.turn(REQUEST):
        started = time.monotonic()
        assert not turns.interim_turn(0.2)
        assert 0.15 < time.monotonic() - started < 2.0
    assert turns.interim_turn(0.2)  # free: enters at once
    turns.leave_interim()


def test_an_interim_waiting_for_its_turn_gets_it_when_the_model_frees():
    turns = DecodeTurns(1)
    got: list[bool] = []
    with turns.turn(REQUEST):
        thread = threading.Thread(target=lambda: got.append(turns.interim_turn(5.0)), daemon=True)
        thread.start()
        _wait_until(lambda: turns._waiting[INTERIM] == 1)
    thread.join(5)
    assert got == [True]
    turns.leave_interim()


def test_an_interim_waits_behind_a_final_that_came_first():
    turns = DecodeTurns(1)
    order: list[str] = []
    with turns.turn(REQUEST):
        final = _waiter(turns, FINAL, order, "final")
        _wait_until(lambda: turns._waiting[FINAL] == 1)
        interim = threading.Thread(target=lambda: order.append(f"interim {turns.interim_turn(5.0)}"), daemon=True)
        interim.start()
        _wait_until(lambda: turns._waiting[INTERIM] == 1)
    final.join(5)
    interim.join(5)
    assert order == ["final", "interim True"]
    turns.leave_interim()


def test_a_waiter_whose_token_fires_leaves_with_its_error_and_takes_no_slot():
    turns = DecodeTurns(1)
    token = CancelToken()
    errors: list[BaseException] = []

    def run():
        try:
            with turns.turn(REQUEST, token, token.error):
                errors.append(AssertionError("entered"))
        except Cancelled as error:
            errors.append(error)
    with turns.turn(FINAL):
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        _wait_until(lambda: turns._waiting[REQUEST] == 1)
        token.cancel()
        thread.join(5)
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)
    assert sum(turns._running.values()) == 0 and turns._waiting[REQUEST] == 0
    with turns.turn(REQUEST):  # the slot is free again
        pass


def test_no_slots_is_refused():
    with pytest.raises(ValueError, match="at least one slot"):
        DecodeTurns(0)


def test_a_request_yields_its_turn_to_a_final_at_its_next_check():
    turns = DecodeTurns(1)
    order: list[str] = []
    with turns.turn(REQUEST):
        turns.yield_to_urgent(REQUEST)  # nothing waits: keeps the turn
        assert turns._running[REQUEST] == 1
        final = _waiter(turns, FINAL, order, "final")
        _wait_until(lambda: turns._waiting[FINAL] == 1)
        turns.yield_to_urgent(REQUEST)  # the final runs, then the request has its turn back
        order.append("request resumed")
        assert turns._running[REQUEST] == 1 and turns._running[FINAL] == 0
    final.join(5)
    assert order == ["final", "request resumed"]
    assert sum(turns._running.values()) == 0
