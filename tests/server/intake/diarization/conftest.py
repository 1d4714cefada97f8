"""Shared fixtures of the diarization tests: generated espeak calls (mono and stereo, with speaker-turn truth),
cut to their first CLIP_S seconds so each test diarizes only a few seconds of audio."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from adapt_server.intake.transcripts import parse_rttm
from adapt_server.sampledata import generate_calls
from adapt_server.sampledata.mulaw_wav import read_wav
from adapt_server.spans import SpeakerTurn

CLIP_S = 24.0  # seconds of each generated call the tests use (several turns of both speakers)


@dataclass(frozen=True)
class Call:
    id: str
    channels: tuple[np.ndarray, ...]  # float32 (n,) per channel at sample_rate, first CLIP_S seconds
    sample_rate: int  # Hz (8000: telephone band)
    truth: tuple[SpeakerTurn, ...]  # reference turns within the clip

    @property
    def mono(self) -> np.ndarray:
        return np.mean(self.channels, axis=0).astype(np.float32)


def _load(out: Path, info) -> Call:
    decoded = read_wav(info.audio_path)
    n = int(CLIP_S * decoded.sample_rate)
    channels = tuple((row[:n] / 32768.0).astype(np.float32) for row in decoded.samples)
    truth = [turn.trim(0.0, CLIP_S) for turn in parse_rttm(out / "truth" / f"{info.id}.rttm", file_id=info.id)]
    return Call(info.id, channels, decoded.sample_rate, tuple(turn for turn in truth if turn is not None))


@pytest.fixture(scope="session")
def generated_calls(tmp_path_factory) -> dict[str, Call]:
    """{"mono": a mono two-speaker call, "stereo": a stereo one (agent left, customer right)}."""
    out = tmp_path_factory.mktemp("diarization_calls")
    mono_info, = generate_calls(out, n_calls=1, seed=3, stereo_share=0.0)
    stereo_info, = generate_calls(out / "stereo", n_calls=1, seed=5, stereo_share=1.0)
    return {"mono": _load(out, mono_info), "stereo": _load(out / "stereo", stereo_info)}
