"""Who says each aligned utterance: the reference speaker turns (dataset-wide labels) when the recording
has them, else the diarized turns (labels qualified by the recording: "call_0001:spk0"), else the
recording's default (a channel of a split stereo file)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from adapt_server.intake.steps.base import UtteranceDraft
from adapt_server.spans import SpeakerTurn


def qualified(recording_name: str, label: str) -> str:
    """A per-recording diarization label made unique in the dataset."""
    return f"{recording_name}:{label}"


def attribute_speakers(utterances: tuple[UtteranceDraft, ...], reference: tuple[SpeakerTurn, ...],
                       diarized: tuple[SpeakerTurn, ...], recording_name: str,
                       default: str | None) -> list[UtteranceDraft]:
    """Each utterance gets the speaker whose turns overlap it most (pure)."""
    result = []
    for u in utterances:
        speaker = u.speaker
        if speaker is None and u.start is not None and u.end is not None:
            span = SpeakerTurn(u.start, max(u.end, u.start), "?")
            speaker = _most_overlapping(span, reference)
            if speaker is None:
                label = _most_overlapping(span, diarized)
                speaker = qualified(recording_name, label) if label else None
        result.append(replace(u, speaker=speaker or default))
    return result


def _most_overlapping(span: SpeakerTurn, turns: tuple[SpeakerTurn, ...]) -> str | None:
    totals: dict[str, float] = {}
    for turn in turns:
        overlap = span.overlap(turn)
        if overlap > 0:
            totals[turn.speaker] = totals.get(turn.speaker, 0.0) + overlap
    return max(totals, key=totals.get) if totals else None


def recording_name(source_uri: str, channel: int) -> str:
    """The file's stem, with ":chN" for one channel of a split stereo file (prefix of diarized labels)."""
    stem = PurePosixPath(source_uri).stem
    return stem if channel < 0 else f"{stem}:ch{channel}"
