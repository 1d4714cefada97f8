"""Audio fixtures for the adapt_kernels tests: real speech when ../shared/realspeech is present, else synthetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import lfilter

SAMPLE_RATE = 16000  # Hz; kept literal here so the fixtures do not depend on the code under test
REALSPEECH_ASR = Path(__file__).resolve().parents[2] / ".." / "shared" / "realspeech" / "asr"


def synthetic_audio(seconds: float, seed: int = 0) -> np.ndarray:
    """Seeded speech-like test signal: float32, shape (round(seconds * 16000),), peak below 1.

    Red + white noise, a few steady tones (incl. near 0 Hz and near 8 kHz), linear chirps across the band,
    an on/off envelope (syllable-like bursts, with near-silent gaps) and one stretch of exact digital silence.
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * SAMPLE_RATE))
    t = np.arange(n) / SAMPLE_RATE
    white = rng.standard_normal(n)
    noise = 0.002 * lfilter([1.0], [1.0, -0.99], white) + 0.01 * white  # leaky-integrated (red) + white
    tones = sum(amplitude * np.sin(2 * np.pi * hz * t + phase)
                for hz, amplitude, phase in ((30.0, 0.05, 0.3), (220.0, 0.2, 0.0), (1234.5, 0.1, 1.0),
                                             (7950.0, 0.03, 2.0)))
    sweep_seconds = 3.0
    phase_t = t % sweep_seconds
    chirp = 0.15 * np.sin(2 * np.pi * (100.0 * phase_t + (7800.0 / (2 * sweep_seconds)) * phase_t**2))
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.7 * t)
    audio = (noise + tones + chirp) * envelope
    silence = slice(n // 3, n // 3 + min(n // 10, 8000))
    audio[silence] = 0.0
    return (0.8 * audio / max(1e-9, np.abs(audio).max())).astype(np.float32)


def realspeech_audio(seconds: float) -> np.ndarray:
    """All realspeech ASR utterances concatenated (repeated as needed) and cut to ``seconds``: float32 (n,)."""
    import wave

    paths = sorted(REALSPEECH_ASR.glob("*.wav"))
    if not paths:
        pytest.skip(f"no real speech at {REALSPEECH_ASR.resolve()} (the shared test data is absent)")
    clips = []
    for path in paths:
        with wave.open(str(path)) as w:  # the corpus is 16-bit PCM WAV
            rate, channels, frames = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
        assert rate == SAMPLE_RATE, f"{path} is {rate} Hz; the realspeech corpus should be 16 kHz"
        samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).astype(np.float32) / 32768.0
        clips.append(samples.mean(axis=1))
    speech = np.concatenate(clips)
    n = int(round(seconds * SAMPLE_RATE))
    return np.resize(speech, n).astype(np.float32)  # np.resize repeats the data to fill n samples


@pytest.fixture(params=["realspeech", "synthetic"])
def audio_source(request):
    """A function seconds -> float32 audio, once with real speech (skipped when absent), once synthetic."""
    if request.param == "realspeech":
        return realspeech_audio
    return synthetic_audio


@pytest.fixture
def synthetic():
    """:func:`synthetic_audio` (seconds, seed=0) -> float32 audio, for tests that need several clips."""
    return synthetic_audio
