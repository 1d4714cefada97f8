"""Immutable time spans shared by intake, alignment, diarization and redaction (lhotse style).

All times are seconds from the start of the recording (float). `with_offset` and `trim` return new objects,
so steps compose: cutting a window [a, b) out of a recording and re-basing its spans is
`span.trim(a, b).with_offset(-a)` (trim keeps the recording's timeline; with_offset moves it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Self

_TIME_TOLERANCE_S = 1e-9  # seconds: float rounding below this is not a negative time


def _check_time(value: float | None, what: str, span: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{type(span).__name__}.{what} must be seconds (a number), got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{type(span).__name__}.{what} must be finite seconds >= 0, got {value!r}")
    return float(value)


class _TimedSpan:
    """Shared behaviour of spans with `start` and `end` in seconds (either may be None on a `Segment`)."""

    start: float | None
    end: float | None

    def _validate_times(self) -> None:
        object.__setattr__(self, "start", _check_time(self.start, "start", self))
        object.__setattr__(self, "end", _check_time(self.end, "end", self))
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"{type(self).__name__} ends before it starts: start={self.start} s, end={self.end} s")

    @property
    def duration(self) -> float | None:
        """Seconds from start to end; None when either is unknown."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    def with_offset(self, seconds: float) -> Self:
        """A copy moved by `seconds` (negative moves earlier); unknown times stay unknown.

        Raises ValueError if the move would put a time before 0 (a result within 1 ns of 0 is taken as 0).
        """

        def moved(time: float | None) -> float | None:
            if time is None:
                return None
            result = time + seconds
            if result < 0:
                if result < -_TIME_TOLERANCE_S:
                    raise ValueError(f"moving {self} by {seconds} s would start it before 0 s")
                result = 0.0
            return result

        return replace(self, start=moved(self.start), end=moved(self.end))

    def trim(self, start: float, end: float) -> Self | None:
        """The part of this span inside the window [start, end] seconds, on the same timeline; None when the
        overlap is empty (a span only touching the window's edge has nothing left). Requires known times."""
        if self.start is None or self.end is None:
            raise ValueError(f"cannot trim a {type(self).__name__} with unknown times: {self}")
        if end < start:
            raise ValueError(f"trim window ends before it starts: start={start} s, end={end} s")
        if self.start == self.end:  # a point in time belongs to the half-open window [start, end)
            return self if start <= self.start < end else None
        new_start, new_end = max(self.start, start), min(self.end, end)
        if new_end <= new_start:
            return None
        return replace(self, start=new_start, end=new_end)

    def overlap(self, other: _TimedSpan) -> float:
        """Seconds both spans cover (0.0 when disjoint or when any time is unknown)."""
        if None in (self.start, self.end, other.start, other.end):
            return 0.0
        return max(0.0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True)
class Segment(_TimedSpan):
    """A stretch of transcript: `text` spoken from `start` to `end` seconds by `speaker`.

    Times are None when the source does not give them (a plain-text transcript is one untimed Segment).
    """

    start: float | None  # seconds, None when unknown
    end: float | None  # seconds, None when unknown
    text: str  # the words as written in the source (markup removed)
    speaker: str | None = None  # speaker label from the source, None when not given

    def __post_init__(self) -> None:
        self._validate_times()
        if not isinstance(self.text, str):
            raise TypeError(f"Segment.text must be a string, got {self.text!r}")

    @property
    def is_timed(self) -> bool:
        """True when both start and end are known."""
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class SpeakerTurn(_TimedSpan):
    """`speaker` talks from `start` to `end` seconds (diarization output, RTTM references)."""

    start: float  # seconds
    end: float  # seconds
    speaker: str  # speaker label, unique within one recording

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            raise ValueError(f"SpeakerTurn needs known start and end seconds, got start={self.start}, end={self.end}")
        self._validate_times()


@dataclass(frozen=True)
class Word(_TimedSpan):
    """One word, spoken from `start` to `end` seconds (alignment output)."""

    start: float  # seconds
    end: float  # seconds
    text: str  # the word as written
    confidence: float | None = None  # probability in [0, 1] from the aligner/recognizer; None when not given

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            raise ValueError(f"Word needs known start and end seconds, got start={self.start}, end={self.end}")
        self._validate_times()
        if self.confidence is not None and not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"Word.confidence must be in [0, 1], got {self.confidence!r}")


@dataclass(frozen=True)
class RedactionSpan(_TimedSpan):
    """Audio from `start` to `end` seconds held an entity of `entity_type` (redaction output, audit record).

    Carries no value: what was said is never stored, only its kind and where it was.
    """

    start: float  # seconds: start of the redacted stretch (the entity's words and the pauses around them)
    end: float  # seconds: end of the redacted stretch (muting adds its pad on both sides)
    entity_type: str  # e.g. "PERSON", "PHONE_NUMBER", "MEDICAL_RECORD_NUMBER"

    def __post_init__(self) -> None:
        if self.start is None or self.end is None:
            raise ValueError(f"RedactionSpan needs known start and end seconds, got start={self.start}, "
                             f"end={self.end}")
        self._validate_times()
        if not isinstance(self.entity_type, str) or not self.entity_type:
            raise ValueError(f"RedactionSpan.entity_type must be a non-empty string, got {self.entity_type!r}")
