"""Resource objects the SDK returns: attribute access, refreshed in place by get/wait/refresh."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, Self

from google.protobuf import json_format

from adapt.v1 import common_pb2


class State(str, enum.Enum):
    """Lifecycle of long-running resources; compares equal to its name ("SUCCEEDED")."""
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def terminal(self) -> bool:
        return self in (State.SUCCEEDED, State.FAILED, State.CANCELLED)

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_proto(cls, value: int) -> "State":
        name = common_pb2.State.Name(value)
        return cls(name) if name in cls.__members__ else cls.PENDING


def _time(ts) -> datetime | None:
    return ts.ToDatetime(tzinfo=timezone.utc) if ts.seconds or ts.nanos else None


@dataclass(frozen=True)
class Progress:
    fraction: float = 0.0
    stage: str = ""
    done: int = 0
    total: int = 0
    unit: str = ""
    eta_seconds: float | None = None
    message: str = ""

    @classmethod
    def from_proto(cls, p) -> "Progress":
        return cls(p.fraction, p.stage, p.done, p.total, p.unit,
                   p.eta_seconds if p.eta_seconds >= 0 else None, p.message)


@dataclass(frozen=True)
class ErrorInfo:
    code: str
    message: str


@dataclass(frozen=True)
class Event:
    sequence: int
    time: datetime | None
    resource_id: str
    state: State
    progress: Progress
    level: str
    message: str
    details: dict

    @classmethod
    def from_proto(cls, e) -> "Event":
        return cls(e.sequence, _time(e.time), e.resource_id, State.from_proto(e.state),
                   Progress.from_proto(e.progress), e.level, e.message, json_format.MessageToDict(e.details))


@dataclass(frozen=True)
class DatasetStats:
    hours: float = 0.0
    recordings: int = 0
    utterances: int = 0
    speakers: int = 0
    oov_rate: float = 0.0
    top_oov_words: tuple[tuple[str, int], ...] = ()
    reference_words: int = 0
    oov_words: int = 0
    transcribed_recordings: int = 0
    transcribed_hours: float = 0.0
    files_failed: int = 0
    # pipeline steps (0 when the step did not run); see docs/datasets.md
    speech_hours: float = 0.0
    diarized_recordings: int = 0
    diarized_speakers: int = 0
    aligned_recordings: int = 0
    aligned_words: int = 0
    mean_alignment_score: float = 0.0
    low_alignment_recordings: int = 0
    pseudo_utterances: int = 0
    pseudo_label_share: float = 0.0
    redactions: dict = field(default_factory=dict)   # entity type -> count
    redacted_recordings: int = 0
    redacted_seconds: float = 0.0
    dropped_utterances: int = 0
    train_recordings: int = 0
    train_hours: float = 0.0
    train_utterances: int = 0
    holdout_recordings: int = 0
    holdout_hours: float = 0.0
    holdout_utterances: int = 0
    oov_lexicon: str = ""   # the lexicon the OOV rate used ("cmudict" for English); "" when none exists
    oov_note: str = ""      # why there is no OOV rate, when there is none

    @classmethod
    def from_proto(cls, s) -> "DatasetStats":
        scalars = {f.name: getattr(s, f.name) for f in s.DESCRIPTOR.fields
                   if f.name not in ("top_oov_words", "redactions")}
        return cls(**scalars, top_oov_words=tuple((w.word, w.count) for w in s.top_oov_words),
                   redactions={c.entity_type: c.count for c in s.redactions})

    def __str__(self) -> str:
        top = ", ".join(f"{w} ({c})" for w, c in self.top_oov_words[:8]) or "-"
        oov = (f"oov_rate={self.oov_rate:.2%} (of {self.reference_words} words; top: {top})" if not self.oov_note
               else f"oov_rate=n/a ({self.oov_note})")
        text = (f"hours={self.hours:.3f} recordings={self.recordings} utterances={self.utterances} "
                f"speakers={self.speakers} {oov} files_failed={self.files_failed}")
        if self.diarized_recordings:
            text += f" diarized_speakers={self.diarized_speakers}"
        if self.aligned_recordings:
            text += (f" aligned_words={self.aligned_words} mean_alignment_score={self.mean_alignment_score:.2f}"
                     f" low_alignment_recordings={self.low_alignment_recordings}"
                     f" pseudo_label_share={self.pseudo_label_share:.1%}")
        if self.redactions or self.redacted_recordings:
            counts = ", ".join(f"{t}: {c}" for t, c in sorted(self.redactions.items())) or "none"
            text += f" redactions=({counts}) dropped_utterances={self.dropped_utterances}"
        if self.train_recordings or self.holdout_recordings:
            text += (f" train={self.train_recordings} rec/{self.train_hours * 60:.1f} min"
                     f" holdout={self.holdout_recordings} rec/{self.holdout_hours * 60:.1f} min")
        return text


@dataclass(frozen=True)
class FileIssue:
    uri: str
    stage: str
    reason: str


@dataclass(frozen=True)
class Recording:
    id: str
    dataset_id: str
    source_uri: str
    channel: int
    duration_s: float
    audio_sha256: str
    source_sample_rate: int
    source_channels: int
    source_codec: str
    transcript_format: str
    utterances: int
    speakers: tuple[str, ...]
    speech_s: float = 0.0                  # vad
    alignment_score: float | None = None   # align: 0..1; None when not aligned
    redacted: bool = False                 # the stored audio has PII/PHI muted
    split: str = ""                        # "train" | "holdout" | ""

    @classmethod
    def from_proto(cls, r) -> "Recording":
        return cls(r.id, r.dataset_id, r.source_uri, r.channel, r.duration_s, r.audio_sha256,
                   r.source_sample_rate, r.source_channels, r.source_codec, r.transcript_format, r.utterances,
                   tuple(r.speakers), r.speech_s, None if r.alignment_score < 0 else r.alignment_score,
                   r.redacted, r.split)


class Resource:
    """A server resource. The SDK keeps one object per id per client and updates it in place, so
    `client.datasets.wait(dataset.id)` also brings `dataset` up to date."""

    id: str
    state: State

    def _update(self, message) -> None:
        raise NotImplementedError


@dataclass(eq=False)
class JobResource(Resource):
    """A resource a server job produces (a dataset, an evaluation, a fine-tune): its state, progress, error
    and times, and refresh / wait / cancel / watch. Subclasses add their fields and extend _update."""
    id: str = ""
    state: State = State.PENDING
    progress: Progress = field(default_factory=Progress)
    error: ErrorInfo | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    _api: object = field(default=None, repr=False)

    def _update(self, m) -> None:
        self.id, self.state = m.id, State.from_proto(m.state)
        self.progress = Progress.from_proto(m.progress)
        self.error = ErrorInfo(m.error.code, m.error.message) if m.HasField("error") else None
        self.created_at, self.updated_at = _time(m.create_time), _time(m.update_time)

    def refresh(self) -> Self:
        return self._api.get(self.id)

    def wait(self, timeout: float | None = None) -> Self:
        return self._api.wait(self.id, timeout=timeout)

    def cancel(self) -> Self:
        return self._api.cancel(self.id)

    def watch(self, after_sequence: int = 0) -> Iterator[Event]:
        return self._api.watch(self.id, after_sequence)


@dataclass(eq=False)
class Dataset(JobResource):
    name: str = ""
    sources: list[dict] = field(default_factory=list)
    pipeline: list[dict] = field(default_factory=list)
    stats: DatasetStats = field(default_factory=DatasetStats)
    file_issues: tuple[FileIssue, ...] = ()
    labels: dict = field(default_factory=dict)
    language: str = "en"
    provenance: dict = field(default_factory=dict)   # the declared recording consent ({} when none), its
    # consent_id, and whether it was revoked

    def _update(self, m) -> None:
        super()._update(m)
        self.name = m.name
        self.language = m.language or "en"
        self.provenance = json_format.MessageToDict(m.provenance, preserving_proto_field_name=True) \
            if m.HasField("provenance") else {}
        self.sources = [{"type": s.type, "uri": s.uri, "options": json_format.MessageToDict(s.options)}
                        for s in m.sources]
        self.pipeline = [{"step": p.step, **json_format.MessageToDict(p.params)} for p in m.pipeline]
        self.stats = DatasetStats.from_proto(m.stats)
        self.file_issues = tuple(FileIssue(i.uri, i.stage, i.reason) for i in m.file_issues)
        self.labels = dict(m.labels)

    def recordings(self) -> list[Recording]:
        return self._api.recordings(self.id)

    def export(self, format: str = "jsonl", split: str = "") -> str:
        return self._api.export(self.id, format=format, split=split)


@dataclass(eq=False)
class Model(Resource):
    id: str = ""
    kind: str = ""
    family: str = ""
    format: str = ""
    base_model: str = ""
    multilingual: bool = False
    n_mels: int = 80
    size_bytes: int = 0
    sha256: str = ""
    path: str = ""
    created_at: datetime | None = None
    lineage: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    description: str = ""
    role: str = "recognizer"        # "recognizer", "aligner" (times words) or "diarizer" (speaker turns)
    languages: tuple[str, ...] = ()  # language codes it transcribes; () when not stated
    parameters: int = 0
    architecture: str = ""
    state: State = State.SUCCEEDED  # a registered model is ready
    _api: object = field(default=None, repr=False)

    def _update(self, m) -> None:
        from adapt.v1 import models_pb2
        self.id, self.kind, self.family, self.format = m.id, models_pb2.ModelKind.Name(m.kind), m.family, m.format
        self.base_model, self.multilingual, self.n_mels = m.base_model, m.multilingual, m.n_mels
        self.size_bytes, self.sha256, self.path = m.size_bytes, m.sha256, m.path
        self.created_at = _time(m.create_time)
        self.lineage = json_format.MessageToDict(m.lineage)
        self.labels, self.description = dict(m.labels), m.description
        self.role, self.languages = m.role or "recognizer", tuple(m.languages)
        self.parameters, self.architecture = m.parameters, m.architecture
