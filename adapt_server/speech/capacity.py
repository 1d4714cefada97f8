"""What the server's transcription work shares: its own executors, admission control, the shutdown token and the
interim-decode slots (issue 16, defects 2-4).

- Decoding runs in `decode` (the decode executor: `max_decode_concurrency` threads), never in the executor of
  the control plane (SQLite use cases, small RPCs), so 40 open streams cannot starve ListModels.
- A stream's incoming messages are parsed (PCM16 framing, resampling, WAV headers, the FFmpeg pipe) in `parse`
  (a small executor of its own), so nothing CPU-bound runs on the event loop and reading audio never waits
  behind a model call.
- `admission` caps the transcriptions in progress (streams + unary) server-wide and per caller.
- `shutdown` is the parent of every request's CancelToken: stopping the server stops every decode within one
  batch, and `close()` leaves no thread behind that keeps the process alive.
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from adapt_server.errors import Cancelled
from adapt_server.speech.admission import Admission, AdmissionLimits
from adapt_server.speech.cancel import CANCELLED, SHUTDOWN, CancelToken

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


def default_decode_concurrency(cores: int | None = None) -> int:
    """Decodes running at once: one per core (CTranslate2 runs one model call at a time per engine anyway;
    more threads only overlap the Python parts: VAD, front-end, tokenizer)."""
    return max(1, cores or os.cpu_count() or 1)


def default_max_streams(cores: int | None = None) -> int:
    """Transcriptions (streams + unary) admitted at once: 2 per core. On this 2-core machine 4 real-time
    streams of whisper-tiny.en int8 kept finals at 0.67 s median, 1.27 s p95 after the end of speech
    (bench/streaming_bench.py, a quiet run); bench/load_bench.py shows admission refusing the rest."""
    return 2 * max(1, cores or os.cpu_count() or 1)


@dataclass(frozen=True)
class DecodeLimits:
    max_streams: int                 # transcriptions at once, server-wide (streams + unary Transcribe)
    max_streams_per_caller: int      # of those, per caller
    max_decode_concurrency: int      # threads of the decode executor
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
        # interims are best-effort: one decode thread fewer than there are may run them at once (one is always
        # left to finals), the others are skipped until a slot frees (finals never are)
        self.interim_slots = threading.BoundedSemaphore(max(1, limits.max_decode_concurrency - 1))
        self.active_streams = 0  # streams open now (changed on the event loop only)
        self._decode_pool = ThreadPoolExecutor(limits.max_decode_concurrency, thread_name_prefix="adapt-decode")
        self._parse_pool = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="adapt-parse")

    def token(self, deadline_s: float | None = None) -> CancelToken:
        """A request's token: fires on cancel(), after deadline_s seconds, or at shutdown."""
        return CancelToken(deadline_s, parent=self.shutdown)

    async def decode(self, work: Callable[[], T], token: CancelToken) -> T:
        """work() in the decode executor. When the awaiting task is cancelled (the client went away, the deadline
        passed, the server stops), the token fires and this waits (at most STOP_WAIT_S) for the work to stop
        at its next check before re-raising, so a released admission slot means the cores are free. Work that
        stopped on the token raises the token's status error (CANCELLED, DEADLINE_EXCEEDED, UNAVAILABLE)."""
        if token():
            raise token.error()
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
