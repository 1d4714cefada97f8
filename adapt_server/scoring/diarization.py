"""Diarization error rate (DER) against reference speaker turns, computed by pyannote.metrics.

DER = (missed speech + false alarm + speaker confusion) / reference speech, in seconds, after the optimal
one-to-one mapping of hypothesis speakers to reference speakers (Hungarian), found per recording. Overlapped
speech counts once per speaker. The corpus DER sums each component over recordings before dividing (as
pyannote's accumulated `abs(metric)`), so long recordings weigh more.

**Defaults: `collar_s=0.0`, `skip_overlap=False`** - pyannote's standard evaluation ("no forgiveness collar,
overlapped speech scored", the setting of pyannote.audio's published benchmarks): the strictest and the
one least open to interpretation. `collar_s` has pyannote's meaning: the *total* width of a no-score zone
centred on every reference turn boundary (`collar_s / 2` on each side). NIST md-eval's "-c 0.25" (0.25 s
on each side) is `collar_s=0.5`; the diarization bench of issue 6 ("collar 0.25 s, overlap scored") passes
`collar_s=0.25`. `skip_overlap=True` leaves out regions where the reference has 2+ speakers.

**Scored region** (`uem`): per recording, the (start, end) seconds regions to score, e.g. [(0, duration)].
Without one, the extent of reference and hypothesis together (pyannote's own fallback).

Turns are `SpeakerTurn`s or (start, end, speaker) tuples in seconds (reference turns from an RTTM file:
`intake.transcripts.parse_rttm`). pyannote.metrics is imported on first use (it takes ~1.5 s).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapt_server.errors import InvalidArgument
from adapt_server.spans import SpeakerTurn

DEFAULT_COLLAR_S = 0.0  # seconds, total width around each reference boundary (pyannote's meaning)
DEFAULT_SKIP_OVERLAP = False  # overlapped speech is scored

Turn = SpeakerTurn | tuple[float, float, str]  # (start s, end s, speaker label)
Region = tuple[float, float]  # (start s, end s)


@dataclass(frozen=True)
class RecordingDiarization:
    """DER components of one recording, in seconds of the scored region."""

    recording_id: str
    reference_s: float  # reference speech (each speaker's turns counted; the DER denominator)
    missed_s: float  # reference speech with fewer hypothesis speakers than reference speakers
    false_alarm_s: float  # hypothesis speech beyond the reference speakers
    confusion_s: float  # speech given to the wrong speaker after the optimal mapping

    @property
    def errors_s(self) -> float:
        return self.missed_s + self.false_alarm_s + self.confusion_s

    @property
    def der(self) -> float:
        """errors_s / reference_s; nan when the reference has no speech."""
        return self.errors_s / self.reference_s if self.reference_s else math.nan


@dataclass(frozen=True)
class DiarizationResult:
    """DER per recording and in total, with the scoring settings used."""

    recordings: tuple[RecordingDiarization, ...]  # sorted by recording id
    collar_s: float  # total collar width, seconds
    skip_overlap: bool

    @property
    def reference_s(self) -> float:
        return sum(recording.reference_s for recording in self.recordings)

    @property
    def missed_s(self) -> float:
        return sum(recording.missed_s for recording in self.recordings)

    @property
    def false_alarm_s(self) -> float:
        return sum(recording.false_alarm_s for recording in self.recordings)

    @property
    def confusion_s(self) -> float:
        return sum(recording.confusion_s for recording in self.recordings)

    @property
    def der(self) -> float:
        """Corpus DER: summed errors / summed reference speech; nan when there is no reference speech."""
        reference = self.reference_s
        return (self.missed_s + self.false_alarm_s + self.confusion_s) / reference if reference else math.nan


def score_diarization(reference: Mapping[str, Sequence[Turn]], hypothesis: Mapping[str, Sequence[Turn]], *,
                      uem: Mapping[str, Sequence[Region]] | None = None, collar_s: float = DEFAULT_COLLAR_S,
                      skip_overlap: bool = DEFAULT_SKIP_OVERLAP) -> DiarizationResult:
    """DER of `hypothesis` against `reference`, both mapping recording id -> turns.

    Every recording of `reference` is scored (one missing from `hypothesis` has no hypothesis speech);
    a hypothesis recording without a reference is an error. `uem` maps recording id -> scored regions.
    """
    from pyannote.metrics.diarization import DiarizationErrorRate

    unknown = sorted(set(hypothesis) - set(reference))
    if unknown:
        raise InvalidArgument(f"hypothesis turns for recordings without reference turns: {unknown[:5]}"
                              f"{' ...' if len(unknown) > 5 else ''}; give their reference turns or leave them out")
    if not (math.isfinite(collar_s) and collar_s >= 0):
        raise InvalidArgument(f"collar_s must be finite seconds >= 0, got {collar_s!r}")
    metric = DiarizationErrorRate(collar=collar_s, skip_overlap=skip_overlap)
    recordings = []
    for recording_id in sorted(reference):
        reference_annotation = to_annotation(recording_id, reference[recording_id])
        hypothesis_annotation = to_annotation(recording_id, hypothesis.get(recording_id, ()))
        regions = _scored_regions(recording_id, reference_annotation, hypothesis_annotation, uem)
        if regions is None:  # nothing to score: no turns and no uem
            recordings.append(RecordingDiarization(recording_id, 0.0, 0.0, 0.0, 0.0))
            continue
        components = metric.compute_components(reference_annotation, hypothesis_annotation, uem=regions)
        recordings.append(RecordingDiarization(
            recording_id, reference_s=components["total"], missed_s=components["missed detection"],
            false_alarm_s=components["false alarm"], confusion_s=components["confusion"]))
    return DiarizationResult(tuple(recordings), collar_s=float(collar_s), skip_overlap=skip_overlap)


def to_annotation(recording_id: str, turns: Sequence[Turn]):
    """A `pyannote.core.Annotation` of `turns` (zero-length turns dropped)."""
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=recording_id)
    for index, turn in enumerate(turns):
        start, end, speaker = _turn_fields(recording_id, index, turn)
        if end > start:
            annotation[Segment(start, end), index] = speaker
    return annotation


def _turn_fields(recording_id: str, index: int, turn: Turn) -> tuple[float, float, str]:
    if isinstance(turn, SpeakerTurn):
        return turn.start, turn.end, turn.speaker
    try:
        start, end, speaker = turn
        start, end = float(start), float(end)
    except (TypeError, ValueError) as error:
        raise InvalidArgument(f"recording {recording_id!r} turn {index}: expected (start s, end s, speaker), "
                              f"got {turn!r}") from error
    if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
        raise InvalidArgument(f"recording {recording_id!r} turn {index}: needs 0 <= start <= end seconds, got {turn!r}")
    return start, end, str(speaker)


def _scored_regions(recording_id: str, reference, hypothesis, uem: Mapping[str, Sequence[Region]] | None):
    """The recording's scored `Timeline`: its uem regions, else the extent of reference and hypothesis."""
    from pyannote.core import Segment, Timeline

    if uem is not None and recording_id in uem:
        segments = [Segment(float(start), float(end)) for start, end in uem[recording_id] if end > start]
    else:
        extent = reference.get_timeline().extent() | hypothesis.get_timeline().extent()
        segments = [extent] if extent else []
    return Timeline(segments=segments, uri=recording_id) if segments else None
