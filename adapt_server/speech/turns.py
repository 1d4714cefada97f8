"""Turns at the model: which speech work decodes next when the cores are busy (issue 16, the load target).

CTranslate2 runs one model call at a time per engine (`inter_threads=1`), so whoever calls next decides the
latency of everyone else. A FIFO executor let a stream's final wait behind unary requests and other streams'
interims; `DecodeTurns` orders the waiters instead: a final (a live caller waits for it) before a unary
request or a synthesis, and those before an interim. An interim waits a bounded time (it goes stale) and is
skipped when no turn comes; the next audio tries again (`interim_turn`).

Waiting is interruptible: a request whose token fires while it waits leaves with its status error. A request
holds its turn only between its cancel checks: at each one (between VAD, encode, generate and align) it lets
a waiting final go first (`yield_to_urgent`, through `SpeechCapacity.yielding`).
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

FINAL, REQUEST, INTERIM = 0, 1, 2  # priorities, most urgent first
_PRIORITIES = (FINAL, REQUEST, INTERIM)
_POLL_S = 0.05  # how often a waiter looks at its cancel token, seconds


class DecodeTurns:
    """slots: decodes that may run at once. With more than one, the last free slot is kept for a final: unary
    requests, syntheses and interims together hold at most slots - 1, so a final never waits for a turn, only for
    the model call in progress (CTranslate2 runs one at a time per engine)."""

    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError(f"DecodeTurns needs at least one slot; got {slots}")
        self.slots = slots
        self._running = dict.fromkeys(_PRIORITIES, 0)
        self._waiting = dict.fromkeys(_PRIORITIES, 0)
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def turn(self, priority: int, cancel: Callable[[], bool] | None = None,
             on_cancel: Callable[[], BaseException] | None = None) -> Iterator[None]:
        """Holds a turn for the block; waits (most urgent priority first; within one, whoever wakes first) while
        no slot is free for `priority` or more urgent work waits. When cancel() turns true while waiting, raises
        on_cancel()."""
        with self._changed:
            if not self._wait(priority, cancel):
                raise on_cancel() if on_cancel is not None else RuntimeError("cancelled while waiting")
            self._running[priority] += 1
        try:
            yield
        finally:
            self._leave(priority)

    def yield_to_urgent(self, priority: int, cancel: Callable[[], bool] | None = None) -> None:
        """Called by the holder of a `priority` turn between its model calls: when more urgent work waits, gives
        its slot up and waits for a turn again (a unary request lets a final through between its encode and its
        generate, instead of after its whole transcription). Returns at once when nothing more urgent waits;
        when cancel() fires while it waits, it takes its slot back at once (the caller is about to stop)."""
        with self._changed:
            if self._running[priority] < 1 or not self._more_urgent_waiting(priority):
                return  # (nothing of this priority holds a turn: nothing to give up)
            self._running[priority] -= 1
            self._changed.notify_all()
            self._wait(priority, cancel)
            self._running[priority] += 1

    def interim_turn(self, wait_s: float, cancel: Callable[[], bool] | None = None) -> bool:
        """An interim's turn: waits at most wait_s seconds, behind every final and request. False: no turn came
        (skip this interim, the next audio tries again); True: release with `leave_interim()`."""
        with self._changed:
            if not self._wait(INTERIM, cancel, time.monotonic() + wait_s):
                return False
            self._running[INTERIM] += 1
            return True

    def leave_interim(self) -> None:
        self._leave(INTERIM)

    def _wait(self, priority: int, cancel: Callable[[], bool] | None, deadline: float | None = None) -> bool:
        """With the lock held: waits, counted among `priority`'s waiters, until a slot is free for it (True), or
        cancel() fires or the monotonic deadline passes (False). Takes no slot."""
        self._waiting[priority] += 1
        try:
            while not self._may_enter(priority):
                left = None if deadline is None else deadline - time.monotonic()
                if (left is not None and left <= 0) or (cancel is not None and cancel()):
                    return False
                self._changed.wait(_POLL_S if left is None else min(left, _POLL_S))
            return True
        finally:
            self._waiting[priority] -= 1

    def _more_urgent_waiting(self, priority: int) -> bool:
        return any(self._waiting[p] for p in _PRIORITIES if p < priority)

    def _may_enter(self, priority: int) -> bool:
        if self._more_urgent_waiting(priority):
            return False
        running = sum(self._running.values())
        if priority == FINAL:
            return running < self.slots
        others = running - self._running[FINAL]
        return running < self.slots and others < max(1, self.slots - 1)

    def _leave(self, priority: int) -> None:
        with self._changed:
            self._running[priority] -= 1
            self._changed.notify_all()
