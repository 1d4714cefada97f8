"""Admission control of decoding work: how many transcriptions (open streams and unary Transcribe calls) run at
once, server-wide and per caller. The excess is refused at once with RESOURCE_EXHAUSTED and a retry hint,
instead of being queued into a lag nobody sees (issue 16, defect 3).

A caller is an opaque string (api/identity.py `caller_of`: the key id or certificate identity, else the peer address).
Thread-safe; `on_saturation(saturated)` is called (outside the lock) each time the server becomes full or
stops being full, which drives the health status of the Speech service.
"""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from adapt_server.errors import ResourceExhausted


@dataclass(frozen=True)
class AdmissionLimits:
    max_streams: int             # transcriptions (streams + unary) at once, server-wide
    max_streams_per_caller: int  # of those, held by one caller
    retry_after_s: float = 2.0   # the retry hint given with a refusal (seconds)

    def __post_init__(self):
        if self.max_streams < 1 or self.max_streams_per_caller < 1:
            raise ValueError(f"admission limits must be >= 1; got {self.max_streams} server-wide, "
                             f"{self.max_streams_per_caller} per caller")


class Lease:
    """One admitted transcription; `release()` (idempotent, or leaving the `with` block) frees its slot."""

    def __init__(self, admission: "Admission", caller: str):
        self._admission = admission
        self.caller = caller
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._admission._release(self.caller)

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


class Admission:
    def __init__(self, limits: AdmissionLimits, on_saturation: Callable[[bool], None] | None = None):
        self.limits = limits
        self._on_saturation = on_saturation
        self._lock = threading.Lock()
        self._held: Counter[str] = Counter()
        self._total = 0

    @property
    def held(self) -> int:
        return self._total

    @property
    def saturated(self) -> bool:
        """True while a new transcription would be refused server-wide."""
        return self._total >= self.limits.max_streams

    def held_by(self, caller: str) -> int:
        return self._held[caller]

    def admit(self, caller: str, what: str = "transcription") -> Lease:
        """A lease for one more transcription of `caller`; ResourceExhausted (with retry_after_s) when the
        server or this caller is at its limit."""
        limits = self.limits
        with self._lock:
            if self._total >= limits.max_streams:
                raise ResourceExhausted(
                    f"the server's speech work is at its limit ({limits.max_streams} streams, transcriptions and "
                    f"syntheses at once); this {what} was refused before any work: retry in {limits.retry_after_s:g} s, or "
                    "raise --max-streams where the cores allow", retry_after_s=limits.retry_after_s)
            if self._held[caller] >= limits.max_streams_per_caller:
                raise ResourceExhausted(
                    f"this caller already holds {self._held[caller]} streams, transcriptions or syntheses, its limit "
                    f"(--max-streams-per-caller {limits.max_streams_per_caller}); this {what} was refused: finish "
                    f"one first or retry in {limits.retry_after_s:g} s", retry_after_s=limits.retry_after_s)
            self._held[caller] += 1
            self._total += 1
            became_full = self._total == limits.max_streams
        if became_full:
            self._notify(True)
        return Lease(self, caller)

    def _release(self, caller: str) -> None:
        with self._lock:
            self._held[caller] -= 1
            if self._held[caller] <= 0:
                del self._held[caller]
            self._total -= 1
            stopped_being_full = self._total == self.limits.max_streams - 1
        if stopped_being_full:
            self._notify(False)

    def _notify(self, saturated: bool) -> None:
        if self._on_saturation is not None:
            self._on_saturation(saturated)
