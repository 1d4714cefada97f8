"""The talent's audio in a dataset: every stretch the chosen speaker speaks, as 16-kHz float32, per recording.

Where a dataset says who speaks: utterance speaker labels (sidecar transcripts, diarization) and speaker turns
(RTTM, diarization, split stereo channels). A recording's stretches of the speaker are its timed utterances and
turns with that label; a recording whose utterances are all the speaker's but untimed counts whole. With no
speaker named, a dataset with at most one speaker label gives every recording whole.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.errors import FailedPrecondition, InvalidArgument

MIN_RECORDING_SPEECH_S = 1.0  # a recording with less of the speaker is not used (too short to embed)
MIN_TALENT_S = 3.0  # seconds of the speaker a voice needs at least
MERGE_GAP_S = 0.3  # stretches closer than this are joined


@dataclass(frozen=True, eq=False)
class TalentAudio:
    speaker: str                      # the label asked for ("" : the dataset's only speaker)
    recordings: tuple[np.ndarray, ...]  # float32 (n,) 16 kHz, one per recording with enough of the speaker
    recording_ids: tuple[str, ...]

    @property
    def seconds(self) -> float:
        return sum(audio.size for audio in self.recordings) / TARGET_SAMPLE_RATE


def dataset_speakers(store, dataset_id: str) -> list[str]:
    """Every speaker label of the dataset's utterances and turns, sorted."""
    labels = {u.speaker for _, u in store.datasets.utterances(dataset_id) if u.speaker}
    labels |= {t.speaker for _, t in store.datasets.turns(dataset_id) if t.speaker}
    return sorted(labels)


def _spans(store, dataset_id: str, speaker: str) -> dict[str, list[tuple[float, float] | None]]:
    """recording id -> the speaker's (start_s, end_s) stretches; None: the whole recording."""
    spans: dict[str, list[tuple[float, float] | None]] = {}
    by_recording: dict[str, list] = {}
    for recording_id, utterance in store.datasets.utterances(dataset_id):
        by_recording.setdefault(recording_id, []).append(utterance)
    for recording_id, utterances in by_recording.items():
        mine = [u for u in utterances if u.speaker == speaker]
        timed = [(u.start_s, u.end_s) for u in mine if u.start_s is not None and u.end_s is not None]
        spans.setdefault(recording_id, []).extend(timed)
        labelled = [u for u in utterances if u.speaker]
        if mine and len(timed) < len(mine) and all(u.speaker == speaker for u in labelled):
            spans[recording_id].append(None)
    for recording_id, turn in store.datasets.turns(dataset_id):
        if turn.speaker == speaker:
            spans.setdefault(recording_id, []).append((turn.start_s, turn.end_s))
    return {recording_id: found for recording_id, found in spans.items() if found}


def _merged(stretches: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for start, end in sorted(stretches):
        if out and start <= out[-1][1] + MERGE_GAP_S:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out if b > a]


def talent_audio(store, dataset_id: str, speaker: str) -> TalentAudio:
    """The speaker's audio in the dataset. InvalidArgument: no speaker named in a dataset of several;
    FailedPrecondition: the speaker is not in the dataset, or has too little audio there."""
    speakers = dataset_speakers(store, dataset_id)
    recordings = {r.id: r for r in store.datasets.recordings(dataset_id)}
    if not speaker:
        if len(speakers) > 1:
            raise InvalidArgument(f"dataset {dataset_id} has several speakers ({', '.join(speakers)}): name the "
                                  "talent's label in `speaker`")
        spans = {recording_id: [None] for recording_id in recordings}
    else:
        spans = _spans(store, dataset_id, speaker)
        if not spans:
            found = ", ".join(speakers) if speakers else "none (it has no speaker labels: leave `speaker` empty)"
            raise FailedPrecondition(f"dataset {dataset_id} has no audio of speaker {speaker!r}; its speakers: {found}")
    pieces, ids = [], []
    for recording_id in sorted(spans, key=lambda rid: (recordings[rid].source_uri, recordings[rid].channel)
                               if rid in recordings else ("", 0)):
        recording = recordings.get(recording_id)
        if recording is None:
            continue
        samples, _ = read_pcm16_wav(store.blobs.path(recording.audio_sha256))
        if None in spans[recording_id]:
            audio = samples
        else:
            audio = np.concatenate([samples[int(a * TARGET_SAMPLE_RATE): int(b * TARGET_SAMPLE_RATE)]
                                    for a, b in _merged(spans[recording_id])] or [samples[:0]])
        if audio.size >= MIN_RECORDING_SPEECH_S * TARGET_SAMPLE_RATE:
            pieces.append(audio.astype(np.float32, copy=False))
            ids.append(recording_id)
    result = TalentAudio(speaker, tuple(pieces), tuple(ids))
    if result.seconds < MIN_TALENT_S:
        who = f"speaker {speaker!r}" if speaker else "its speaker"
        raise FailedPrecondition(f"dataset {dataset_id} has {result.seconds:.1f} s of {who} in recordings of at "
                                 f"least {MIN_RECORDING_SPEECH_S:g} s; a voice needs at least {MIN_TALENT_S:g} s: add "
                                 "recordings of the talent")
    return result
