"""The step interface: what every pipeline step validates at create time and does to one recording.

A step is a class with
- `name` and `parse(where, params, env) -> config` (a frozen dataclass of typed parameters; raises
  InvalidArgument / NotFound / FailedPrecondition before any work starts);
- `run(config, work, resources) -> work`: a new `RecordingWork` for one recording (runs in a job worker).
`split` works on the whole dataset instead (see steps/split.py).

`RecordingWork` is the value steps hand on: audio, reference transcript, and what earlier steps found
(speech regions, speaker turns, aligned utterances with words, redaction spans).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.errors import InvalidArgument, echo
from adapt_server.spans import Segment, SpeakerTurn, Word


@dataclass(frozen=True)
class UtteranceDraft:
    """An utterance before it is stored: times in seconds of the recording, words when aligned."""
    start: float | None
    end: float | None
    text: str
    speaker: str | None = None
    origin: str = "reference"         # "reference" (given transcript) | "pseudo" (model transcription)
    words: tuple[Word, ...] = ()
    confidence: float | None = None   # mean word confidence (0..1), None when unknown
    flag: str = ""                    # "" usable for training; "low_alignment"; "redacted:TYPE" (dropped)


@dataclass(frozen=True)
class RecordingWork:
    """One recording going through the steps (16 kHz float32 mono; `channels` kept for by-channel diarization)."""
    samples: np.ndarray                                 # float32 (n_samples,), 16 kHz
    name: str                                           # the file's stem, prefixes per-recording speaker labels
    channels: tuple[np.ndarray, ...] = ()               # float32 (n_samples,) per source channel, when kept
    reference: tuple[Segment, ...] = ()                 # sidecar transcript segments
    reference_turns: tuple[SpeakerTurn, ...] = ()       # dataset-wide speaker labels (rttm or timed sidecar)
    speech: tuple[tuple[float, float], ...] | None = None   # vad: (start_s, end_s) speech regions
    diarized: tuple[SpeakerTurn, ...] = ()              # diarize: per-recording labels spk0, spk1, ...
    utterances: tuple[UtteranceDraft, ...] | None = None    # align: None until aligned
    alignment_score: float | None = None                # align: 0..1 (transcript vs audio), None if not aligned
    redactions: tuple = ()                              # redact: RedactionSpan per entity (type, start, end)
    redacted: bool = False                              # redact ran: `samples` is the muted audio
    notes: tuple[tuple[str, str], ...] = ()             # (stage, message) to report as file issues (no PII)

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / TARGET_SAMPLE_RATE

    def but(self, **changes) -> "RecordingWork":
        return replace(self, **changes)


@dataclass(frozen=True)
class ValidationEnv:
    """What create-time validation may consult: the model catalogue (ModelService-like `get`)."""
    models: Any = None


class Step:
    """Base class of pipeline steps (see module docstring)."""
    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv):
        raise NotImplementedError

    @classmethod
    def run(cls, config, work: RecordingWork, resources) -> RecordingWork:
        raise NotImplementedError


@dataclass
class ParamReader:
    """Typed access to a step's params; `done()` refuses keys nobody read. Messages name `where.key`."""
    where: str
    params: dict
    _seen: set = field(default_factory=set)

    def _get(self, key: str, default):
        self._seen.add(key)
        value = self.params.get(key, default)
        return default if value is None else value

    def choice(self, key: str, options: tuple[str, ...], default: str) -> str:
        value = self._get(key, default)
        if value not in options:
            raise InvalidArgument(f"{self.where}.{key} must be one of {list(options)}, got {echo(value)}")
        return value

    def string(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, default)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidArgument(f"{self.where}.{key} must be a non-empty string, got {echo(value)}")
        return value.strip() if isinstance(value, str) else value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise InvalidArgument(f"{self.where}.{key} must be a number in [{low}, {high}], got {echo(value)}")
        return float(value)

    def integer(self, key: str, default: int | None, low: int, high: int) -> int | None:
        value = self._get(key, default)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON/Struct numbers arrive as floats
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidArgument(f"{self.where}.{key} must be an integer in [{low}, {high}], got {echo(value)}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise InvalidArgument(f"{self.where}.{key} must be true or false, got {echo(value)}")
        return value

    def string_list(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self._get(key, list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
            raise InvalidArgument(f"{self.where}.{key} must be a list of names, got {echo(value)}")
        return tuple(dict.fromkeys(v.strip() for v in value))

    def done(self) -> None:
        unknown = sorted(set(self.params) - self._seen)
        if unknown:
            raise InvalidArgument(f"{self.where}: unknown parameters {unknown}; allowed: {sorted(self._seen)}")
