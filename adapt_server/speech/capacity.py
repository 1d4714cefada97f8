"""What the server's transcription work shares: its own executors, admission control, the shutdown token and the
turns at the model (issue 16, defects 2-4).

- Decoding runs in `decode` (the decode executor: a thread per admitted transcription, `max_decode_concurrency`
  of them at the model at once), never in the executor of the control plane (SQLite use cases, small RPCs), so
  40 open streams cannot starve ListModels.
- A stream's incoming messages are parsed (PCM16 framing, resampling, WAV headers, the FFmpeg pipe) in `parse`
  (a small executor of its own), so nothing CPU-bound runs on the event loop and reading audio never waits
  behind a model call.
- `admission` caps the transcriptions in progress (streams + unary) server-wide and per caller.
- `turns` orders the model calls: streams' finals first, then unary requests and syntheses, then interims
  (turns.py). A native streaming recognizer (a model that streams by itself) decodes outside the turns.
- `shutdown` is the parent of every request's CancelToken: stopping the server stops every decode within one
  batch, and `close()` leaves no thread behind that keeps the process alive.
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from adapt_server.errors import Cancelled
from adapt_server.speech.admission import Admission, AdmissionLimits
from adapt_server.speech.cancel import CANCELLED, SHUTDOWN, CancelToken
from adapt_server.speech.turns import DecodeTurns

T = TypeVar("T")


def _malloc_trim():
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _malloc_trim()
log = logging.getLogger("adapt.speech")
PARSE_THREADS = 2  # threads that parse streams' incoming audio messages (cheap work, never a model call)
STOP_WAIT_S = 10.0  # after a cancel, how long a request waits for its decode to notice (one batch) before leaving


def default_decode_concurrency() -> int:
    """Decodes at the model at once: one. CTranslate2 runs one model call at a time per engine on all the
    cores (the thread budget), so a second decode only interleaves its calls with the first and both finish
    later; with one, the turns (turns.py) alone decide who goes next, and a final waits for at most the decode
    in progress (bench/README.md, "Load", compares one and two)."""
    return 1


def default_max_streams(cores: int | None = None) -> int:
    """Transcriptions (streams + unary) admitted at once: 2 per core. On this 2-core machine 4 real-time
    streams of whisper-tiny.en int8 kept finals at 0.67 s median, 1.27 s p95 after the end of speech
    (bench/streaming_bench.py, a quiet run); bench/load_bench.py shows admission refusing the rest."""
    return 2 * max(1, cores or os.cpu_count() or 1)


@dataclass(frozen=True)
class DecodeLimits:
    max_streams: int                 # transcriptions at once, server-wide (streams + unary Transcribe)
    max_streams_per_caller: int      # of those, per caller
    max_decode_concurrency: int      # decodes at the model at once (turns.py)
    retry_after_s: float = 2.0       # retry hint of a refusal, seconds

    @classmethod
    def resolve(cls, max_streams: int | None = None, max_streams_per_caller: int | None = None,
                max_decode_concurrency: int | None = None) -> "DecodeLimits":
        """Limits with defaults from the cores (the per-caller limit defaults to the server-wide one)."""
        streams = max_streams or default_max_streams()
        return cls(max_streams=streams, max_streams_per_caller=max_streams_per_caller or streams,
                   max_decode_concurrency=max_decode_concurrency or default_decode_concurrency())


class SpeechCapacity:
    """One per server process. on_saturation(saturated): called when admission becomes full / not full."""

    def __init__(self, limits: DecodeLimits, on_saturation: Callable[[bool], None] | None = None):
        self.limits = limits
        self.admission = Admission(AdmissionLimits(limits.max_streams, limits.max_streams_per_caller,
                                                   limits.retry_after_s), on_saturation)
        self.shutdown = CancelToken()
        self.turns = DecodeTurns(limits.max_decode_concurrency)
        self.active_streams = 0  # streams open now (changed on the event loop only)
        # a thread for every admitted transcription, so that no work queues in the executor's FIFO: the turns
        # (max_decode_concurrency at once) decide who decodes next, finals first
        self._decode_pool = ThreadPoolExecutor(max(limits.max_streams, limits.max_decode_concurrency),
                                               thread_name_prefix="adapt-decode")
        self._parse_pool = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="adapt-parse")

    def token(self, deadline_s: float | None = None) -> CancelToken:
        """A request's token: fires on cancel(), after deadline_s seconds, or at shutdown."""
        return CancelToken(deadline_s, parent=self.shutdown)

    async def decode(self, work: Callable[[], T], token: CancelToken, priority: int | None = None) -> T:
        """work() in the decode executor; with a priority (turns.py), inside one turn at the model (work that
        takes its own turns, a stream's recognizer, passes None). When the awaiting task is cancelled (the client
        went away, the deadline passed, the server stops), the token fires and this waits (at most STOP_WAIT_S)
        for the work to stop at its next check before re-raising, so a released admission slot means the cores
        are free. Work that stopped on the token raises the token's status error (CANCELLED, DEADLINE_EXCEEDED,
        UNAVAILABLE)."""
        if token():
            raise token.error()
        if priority is not None:
            work = self._in_turn(work, priority, token)
        future = asyncio.get_running_loop().run_in_executor(self._decode_pool, work)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            if not token():  # (a passed deadline keeps its reason)
                token.cancel(SHUTDOWN if self.shutdown() else CANCELLED)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(asyncio.shield(future), STOP_WAIT_S)
            raise
        except Cancelled:
            if token():
                raise token.error() from None
            raise

    def yielding(self, token: CancelToken, priority: int) -> Callable[[], bool]:
        """The cancel check to hand an engine for work running in a `priority` turn: True once the token fired;
        before that, each check lets more urgent waiting work (a stream's final) take the model first."""
        def check() -> bool:
            if token():
                return True
            self.turns.yield_to_urgent(priority, token)
            return token()
        return check

    def _in_turn(self, work: Callable[[], T], priority: int, token: CancelToken) -> Callable[[], T]:
        def run() -> T:
            with self.turns.turn(priority, token, token.error):
                return work()
        return run

    async def parse(self, work: Callable[..., T], *args) -> T:
        """work(*args) in the parse executor (a stream's message -> samples), off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._parse_pool, work, *args)

    def release_memory_when_idle(self) -> None:
        """Once no transcription is admitted, hands the C heap's free pages back to the system (glibc
        malloc_trim, in the parse executor): decode threads leave large freed arenas behind, and without this
        the server's RSS stays at its peak after a burst of load."""
        if self.admission.held == 0 and _MALLOC_TRIM is not None and not self.shutdown():
            with contextlib.suppress(RuntimeError):  # the executor is shut down
                self._parse_pool.submit(_MALLOC_TRIM, 0)

    def close(self) -> None:
        """Stops every decode (at its next check) and the executors; returns at once."""
        self.shutdown.cancel(SHUTDOWN)
        self._decode_pool.shutdown(wait=False, cancel_futures=True)
        self._parse_pool.shutdown(wait=False, cancel_futures=True)
