"""What an evaluation transcribes: the dataset split as units of audio with their reference text.

Only reference transcripts count: pseudo-labels (a model's own output) and flagged utterances (low alignment
score, redacted text over muted audio) are left out, with a note. A recording whose utterances all carry
times is cut into one unit per utterance ([start, end] of the
recording); a recording with untimed utterances is one unit (the whole recording, its utterance texts joined
in order). Recordings without reference text are not ASR units (they can still be scored on DER).

**Split**: an utterance belongs to the split of its `split` attribute, else of its recording's (the intake
pipeline's split step assigns them). A dataset without any assignment holds no train/holdout division:
every utterance is in every split and the evaluation notes it.

**Non-speech**: where the recording has reference speaker turns, the parts of a unit that no turn covers are
known non-speech (relative to the unit's start); words a model emits there count as hallucinations.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.errors import FailedPrecondition

ALL = "all"


@dataclass(frozen=True)
class EvalUnit:
    """One stretch of audio to transcribe, with its reference."""

    utterance_id: str
    recording_id: str
    audio_sha256: str  # the recording's normalized 16 kHz PCM16 WAV blob
    start_s: float | None  # seconds in the recording; None: the whole recording
    end_s: float | None
    reference: str
    speaker: str  # "" when unknown (or several speakers in a whole-recording unit)
    source: str  # the dataset source the recording came from ("" when unknown)
    non_speech: tuple[tuple[float, float], ...] = ()  # (start, end) seconds from the unit's start

    def sample_range(self, n_samples: int, sample_rate: int) -> tuple[int, int]:
        """(first, last) sample of the unit in its recording (n_samples long)."""
        if self.start_s is None or self.end_s is None:
            return 0, n_samples
        first = min(n_samples, max(0, int(round(self.start_s * sample_rate))))
        return first, min(n_samples, max(first, int(round(self.end_s * sample_rate))))


@dataclass(frozen=True)
class SplitSelection:
    units: tuple[EvalUnit, ...]
    recordings: tuple = ()  # RecordingRow of the split (with or without transcripts)
    reference_turns: dict = None  # recording id -> [(start, end, speaker)] (reference turns of the split)
    notes: tuple[str, ...] = ()


def select_split(dataset, recordings: Sequence, utterances: Sequence[tuple[str, object]],
                 turns: Sequence[tuple[str, object]], split: str) -> SplitSelection:
    """Units, recordings and reference turns of `split` ("train", "holdout" or "all").

    dataset: a DatasetRecord (its spec names the sources); recordings: RecordingRows; utterances and turns:
    (recording_id, UtteranceRow / TurnRow) pairs as `DatasetRepository` lists them. Units come in (source URI,
    channel, index) order whatever the order of `recordings`: the engine's temperature fallback draws from one
    seeded generator per thread, so the unit order decides which draws an utterance gets, and a reproducible
    evaluation needs an order that two imports of the same files share (recording ids are random).
    """
    by_recording: dict[str, list] = defaultdict(list)
    for recording_id, utterance in utterances:
        by_recording[recording_id].append(utterance)
    has_assignment = any(_split_of(u) for _, u in utterances) or any(_split_of(r) for r in recordings)
    notes = []
    if split != ALL and not has_assignment:
        notes.append(f"the dataset has no train/holdout assignment (no split step ran), so split {split!r} "
                     "evaluated all of its utterances")
    turns_by_recording = _reference_turns(turns)
    sources = dataset.spec.get("sources", [])
    units, kept_recordings, left_out = [], [], {"pseudo": 0, "flagged": 0}
    for recording in sorted(recordings, key=lambda r: (r.source_uri, r.channel, r.id)):
        rows = sorted(by_recording.get(recording.id, []), key=lambda u: u.idx)
        usable = [u for u in rows if _usable(u)]
        left_out["pseudo"] += sum(getattr(u, "origin", "reference") == "pseudo" for u in rows)
        left_out["flagged"] += sum(bool(getattr(u, "flag", "")) and getattr(u, "origin", "") != "pseudo" for u in rows)
        timed = all(u.start_s is not None and u.end_s is not None for u in rows)
        rows = usable if timed or len(usable) == len(rows) else []  # an untimed remainder no longer matches the audio
        if has_assignment and split != ALL:
            rows = [u for u in rows if (_split_of(u) or _split_of(recording)) == split]
            if not rows and _split_of(recording) != split:
                continue
        kept_recordings.append(recording)
        units += _units(recording, rows, _source_of(recording.source_uri, sources),
                        turns_by_recording.get(recording.id, []))
    if left_out["pseudo"]:
        notes.append(f"{left_out['pseudo']} utterances with pseudo-labels (a model's own transcripts) are not "
                     "references and were left out")
    if left_out["flagged"]:
        notes.append(f"{left_out['flagged']} flagged utterances (low alignment score, or redacted text) were left out")
    if not kept_recordings:
        raise FailedPrecondition(f"dataset {dataset.id} has no recordings in split {split!r}; choose another "
                                 "split or 'all'")
    kept_ids = {r.id for r in kept_recordings}
    return SplitSelection(tuple(units), tuple(kept_recordings),
                          {k: v for k, v in turns_by_recording.items() if k in kept_ids}, tuple(notes))


def _units(recording, rows: list, source: str, turns: list[tuple[float, float, str]]) -> list[EvalUnit]:
    rows = [u for u in rows if u.text.strip()]
    if not rows:
        return []
    timed = all(u.start_s is not None and u.end_s is not None for u in rows)
    if timed:
        return [EvalUnit(f"{recording.id}-u{u.idx:05d}", recording.id, recording.audio_sha256, float(u.start_s),
                         float(u.end_s), u.text, u.speaker or "", source,
                         _non_speech(turns, float(u.start_s), float(u.end_s)))
                for u in rows if u.end_s > u.start_s]
    speakers = {u.speaker for u in rows if u.speaker}
    return [EvalUnit(f"{recording.id}-all", recording.id, recording.audio_sha256, None, None,
                     " ".join(u.text.strip() for u in rows), speakers.pop() if len(speakers) == 1 else "", source,
                     _non_speech(turns, 0.0, recording.duration_s))]


def _non_speech(turns: list[tuple[float, float, str]], start: float, end: float) -> tuple[tuple[float, float], ...]:
    """Gaps of [start, end] not covered by any turn, relative to start; () without turns."""
    if not turns:
        return ()
    spans = sorted((max(a, start), min(b, end)) for a, b, _ in turns if b > start and a < end)
    gaps, cursor = [], start
    for a, b in spans:
        if a > cursor:
            gaps.append((round(cursor - start, 3), round(a - start, 3)))
        cursor = max(cursor, b)
    if end > cursor:
        gaps.append((round(cursor - start, 3), round(end - start, 3)))
    return tuple((a, b) for a, b in gaps if b > a)


def _reference_turns(turns: Sequence[tuple[str, object]]) -> dict[str, list[tuple[float, float, str]]]:
    """recording id -> turns; a recording's 'reference' turns when it has any, else its other turns (e.g. from
    a diarize step)."""
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for recording_id, turn in turns:
        grouped[recording_id][getattr(turn, "origin", "reference") or "reference"].append(
            (float(turn.start_s), float(turn.end_s), str(turn.speaker)))
    chosen = {}
    for recording_id, by_origin in grouped.items():
        key = "reference" if "reference" in by_origin else sorted(by_origin)[0]
        chosen[recording_id] = sorted(by_origin[key])
    return chosen


def _usable(utterance) -> bool:
    """A reference to score against: not a pseudo-label, not flagged (a transcript that does not match the
    audio, or redacted text whose audio was muted)."""
    return getattr(utterance, "origin", "reference") != "pseudo" and not getattr(utterance, "flag", "")


def _split_of(row) -> str:
    value = getattr(row, "split", None)
    return value if value and value != ALL else ""


def _source_of(uri: str, sources: list[dict]) -> str:
    """The uri of the dataset source the recording's file came from (longest matching prefix), else ""."""
    matches = [(len(prefix), source.get("uri", "")) for source in sources
               for prefix in (source.get("path", ""), source.get("uri", "")) if prefix and uri.startswith(prefix)]
    return max(matches)[1] if matches else ""


def non_speech_arrays(unit: EvalUnit) -> np.ndarray:
    """(n_regions, 2) seconds: the unit's known non-speech."""
    return np.asarray(unit.non_speech, dtype=np.float64).reshape(-1, 2)
