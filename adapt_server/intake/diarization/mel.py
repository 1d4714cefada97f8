"""The power mel spectrogram resemblyzer's speaker encoder was trained on, in numpy (no librosa).

resemblyzer computes it with `librosa.feature.melspectrogram(sr=16000, n_fft=400, hop_length=160,
n_mels=40)`: a centred STFT with a periodic Hann window, power 2, and Slaney-normalized mel filters on the
Slaney mel scale; it is *not* a log-mel. This module reproduces that (the test compares with librosa where
it is installed) so the encoder needs neither librosa's import (~1 s, numba compiles) nor resemblyzer's
`audio` module, whose `webrtcvad` import fails on this Python.

Shapes: audio is float32 (n_samples,) at 16 kHz; spectrograms are float32 (n_frames, N_MELS) with
n_frames = 1 + n_samples // HOP_SAMPLES (frame t is centred on sample t * HOP_SAMPLES).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE

SAMPLE_RATE = TARGET_SAMPLE_RATE  # Hz: the encoder's rate
WINDOW_SAMPLES = 400  # 25 ms analysis window (= n_fft)
HOP_SAMPLES = 160  # 10 ms between frames
FRAME_S = HOP_SAMPLES / SAMPLE_RATE  # 0.01 s
N_MELS = 40  # mel channels


def _hz_to_mel(frequencies: np.ndarray) -> np.ndarray:
    """Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above."""
    frequencies = np.asarray(frequencies, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = frequencies / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    above = frequencies >= min_log_hz
    mels[above] = min_log_mel + np.log(frequencies[above] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    mels = np.asarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    frequencies = f_sp * mels
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    above = mels >= min_log_mel
    frequencies[above] = min_log_hz * np.exp(logstep * (mels[above] - min_log_mel))
    return frequencies


@lru_cache(maxsize=1)
def mel_filters() -> np.ndarray:
    """float32 (N_MELS, WINDOW_SAMPLES // 2 + 1): triangular filters from 0 Hz to 8 kHz, each scaled to
    unit area (Slaney norm), as `librosa.filters.mel(sr=16000, n_fft=400, n_mels=40)`."""
    fft_hz = np.linspace(0, SAMPLE_RATE / 2, WINDOW_SAMPLES // 2 + 1)
    mel_hz = _mel_to_hz(np.linspace(_hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([SAMPLE_RATE / 2]))[0],
                                    N_MELS + 2))
    widths = np.diff(mel_hz)
    ramps = mel_hz[:, None] - fft_hz[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_hz[2:N_MELS + 2] - mel_hz[:N_MELS]))[:, None]
    return weights.astype(np.float32)


@lru_cache(maxsize=1)
def _hann() -> np.ndarray:
    """Periodic Hann window of WINDOW_SAMPLES (scipy.signal.get_window('hann', n, fftbins=True))."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW_SAMPLES) / WINDOW_SAMPLES)).astype(np.float32)


def power_mel_spectrogram(audio: np.ndarray) -> np.ndarray:
    """audio: float (n_samples,) at 16 kHz -> float32 (1 + n_samples // HOP_SAMPLES, N_MELS) mel power.

    The signal is zero-padded by WINDOW_SAMPLES // 2 on both sides (librosa >= 0.10's centred STFT)."""
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    half = WINDOW_SAMPLES // 2
    padded = np.pad(samples, (half, half))
    n_frames = 1 + samples.size // HOP_SAMPLES
    frames = np.lib.stride_tricks.sliding_window_view(padded, WINDOW_SAMPLES)[::HOP_SAMPLES][:n_frames]
    spectrum = np.fft.rfft(frames * _hann(), axis=1)
    power = (spectrum.real ** 2 + spectrum.imag ** 2).astype(np.float32)
    return power @ mel_filters().T
