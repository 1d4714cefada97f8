"""The general-speech reference set that ships with Adapt: real, redistributable English speech with human
transcripts (public domain or CC BY 4.0; sources, speakers and licences in general_reference/ATTRIBUTION.md).

It is what the forgetting gate scores when a team names no general traffic of its own: a tuned model is
compared with its base on it (evaluation/), and the fine-tune's interpolation selection checks each
interpolation point on it (training/interpolation.py). 12 utterances, 80 s, 213 reference words: small, so
it catches gross forgetting (see docs/training.md for the regression it can detect), not 1% drifts.

    clips = general_reference()        # tuple of ReferenceClip, in manifest order
    clips[0].samples                   # float32 (n,) mono 16 kHz in [-1, 1)
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


def general_reference_items() -> list[tuple[np.ndarray, str]]:
    """(samples, transcript) pairs, the item shape training uses."""
    return [(clip.samples, clip.text) for clip in general_reference()]


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        if handle.getframerate() != SAMPLE_RATE or handle.getnchannels() != 1 or handle.getsampwidth() != 2:
            raise ValueError(f"{path} is not 16 kHz mono PCM16")
        data = handle.readframes(handle.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
