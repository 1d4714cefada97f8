"""The general-speech reference set that ships with Adapt: real, redistributable English speech with human
transcripts (public domain or CC BY 4.0; sources, speakers and licences in general_reference/ATTRIBUTION.md).

It is what the forgetting gate scores when a team names no general traffic of its own: a tuned model is
compared with its base on it (evaluation/), and the fine-tune's interpolation selection checks each
interpolation point on it (training/interpolation.py). 12 utterances, 80 s, 213 reference words: small, so
it catches gross forgetting (see docs/training.md for the regression it can detect), not 1% drifts.
`long_form_windows()` joins the same clips into recordings of up to 28 s, a long-form check the
safe-adaptation bench scores beside the clips; the gate and the selection score the clips only (docs/training.md
says why).

    clips = general_reference()        # tuple of ReferenceClip, in manifest order
    clips[0].samples                   # float32 (n,) mono 16 kHz in [-1, 1)
    windows = long_form_windows()      # tuple of LongFormWindow: the clips joined, each <= 28 s
"""
from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

GENERAL_REFERENCE_ID = "adapt-general-reference"  # the id evaluations and fine-tunes use for this set
DIRECTORY = Path(__file__).resolve().parent / "general_reference"
SAMPLE_RATE = 16_000
LONG_FORM_MAX_S = 28.0  # a long-form window is at most this long: one decode window (30 s) holds it whole
LONG_FORM_GAP_S = 0.6  # silence between two joined clips (s), a pause between turns


@dataclass(frozen=True)
class ReferenceClip:
    """One utterance of the reference set."""

    id: str  # e.g. "lhotse_libri_1088-134315-0000"
    path: Path  # 16 kHz mono PCM16 WAV
    text: str  # the human transcript (unnormalized)
    speaker: str
    licence: str  # of the speech, e.g. "LibriSpeech, CC BY 4.0"
    duration_s: float

    @property
    def samples(self) -> np.ndarray:
        """float32 (n,) mono 16 kHz samples in [-1, 1)."""
        return _read_wav(self.path)


@lru_cache(maxsize=1)
def general_reference() -> tuple[ReferenceClip, ...]:
    """Every clip of the shipped set, in manifest order."""
    clips = []
    for line in (DIRECTORY / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        clips.append(ReferenceClip(id=row["id"], path=DIRECTORY / row["audio"], text=row["text"],
                                   speaker=str(row["speaker"]), licence=row["licence"],
                                   duration_s=float(row["duration_s"])))
    return tuple(clips)


@dataclass(frozen=True)
class LongFormWindow:
    """Consecutive clips of the set joined by LONG_FORM_GAP_S of silence into one recording of at most
    LONG_FORM_MAX_S: long-form traffic (a call, a meeting) as the model meets it, one decode window holding
    several utterances and speakers. A model tuned on short turns alone can stop early in such a window (a clinic
    fine-tune at 5e-5/5/8 wrote the first clip of a window and nothing more, 22 of its 75 words, while on the
    short clips it made one error fewer than its base; docs/training.md), which the short clips cannot show."""

    id: str  # "long_form_1", ...
    clips: tuple[ReferenceClip, ...]  # in manifest order

    @property
    def text(self) -> str:
        return " ".join(clip.text for clip in self.clips)

    @property
    def duration_s(self) -> float:
        return sum(clip.duration_s for clip in self.clips) + LONG_FORM_GAP_S * (len(self.clips) - 1)

    @property
    def samples(self) -> np.ndarray:
        """float32 (n,) mono 16 kHz samples in [-1, 1): the clips with the gaps between them."""
        gap = np.zeros(round(LONG_FORM_GAP_S * SAMPLE_RATE), dtype=np.float32)
        parts = []
        for clip in self.clips:
            parts += [gap, clip.samples] if parts else [clip.samples]
        return np.concatenate(parts)


@lru_cache(maxsize=1)
def long_form_windows() -> tuple[LongFormWindow, ...]:
    """The shipped clips, in manifest order, packed greedily into windows of at most LONG_FORM_MAX_S."""
    packed: list[tuple[ReferenceClip, ...]] = []
    for clip in general_reference():
        if packed and LongFormWindow("", packed[-1] + (clip,)).duration_s <= LONG_FORM_MAX_S:
            packed[-1] += (clip,)
        else:
            packed.append((clip,))
    return tuple(LongFormWindow(f"long_form_{index}", clips) for index, clips in enumerate(packed, 1))


def general_reference_items() -> list[tuple[np.ndarray, str]]:
    """(samples, transcript) pairs, the item shape training uses."""
    return [(clip.samples, clip.text) for clip in general_reference()]


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        if handle.getframerate() != SAMPLE_RATE or handle.getnchannels() != 1 or handle.getsampwidth() != 2:
            raise ValueError(f"{path} is not 16 kHz mono PCM16")
        data = handle.readframes(handle.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
