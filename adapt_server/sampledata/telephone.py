"""The telephone channel: resample to 8 kHz, band-limit to 300-3400 Hz, add line noise (pure compute), and
the general resampler and band-pass the other channel conditions (channel.py) use.

Waveforms are float64 in [-1, 1] unless stated otherwise.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np
from scipy import signal

from adapt_server.audio.constants import PCM16_FULL_SCALE, PCM16_MAX
from adapt_server.sampledata.constants import (
    TELEPHONE_BAND_HIGH_HZ,
    TELEPHONE_BAND_LOW_HZ,
    TELEPHONE_BANDPASS_ORDER,
    TELEPHONE_SAMPLE_RATE,
)


def pcm16_to_float(samples: np.ndarray) -> np.ndarray:
    """(n,) int16 PCM -> (n,) float64 in [-1, 1)."""
    return np.asarray(samples, dtype=np.float64) / PCM16_FULL_SCALE


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """(..., n) float in [-1, 1] -> (..., n) int16, clipping anything outside the range."""
    scaled = np.round(np.asarray(samples) * PCM16_FULL_SCALE)
    return np.clip(scaled, -PCM16_FULL_SCALE, PCM16_MAX).astype(np.int16)


def resample(samples: np.ndarray, sample_rate: int, target_rate: int) -> np.ndarray:
    """(n,) float at `sample_rate` Hz -> (ceil(n * target_rate / sample_rate),) float at `target_rate` Hz.

    Polyphase resampling; its anti-aliasing filter removes everything above target_rate / 2.
    """
    divisor = gcd(target_rate, sample_rate)
    return signal.resample_poly(samples, target_rate // divisor, sample_rate // divisor)


def resample_to_telephone(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """(n,) float at `sample_rate` Hz -> (ceil(n * 8000 / sample_rate),) float at 8 kHz."""
    return resample(samples, sample_rate, TELEPHONE_SAMPLE_RATE)


@lru_cache(maxsize=8)
def _band_sos(sample_rate: int, low_hz: float, high_hz: float, order: int) -> np.ndarray:
    return signal.butter(order, [low_hz, high_hz], btype="bandpass", fs=sample_rate, output="sos")


def bandpass(samples: np.ndarray, sample_rate: int, low_hz: float, high_hz: float, order: int) -> np.ndarray:
    """(..., n) float at `sample_rate` Hz -> same shape, band-passed to low_hz-high_hz with zero phase (no delay):
    a Butterworth band-pass of `order` per edge, applied forward and backward."""
    return signal.sosfiltfilt(_band_sos(sample_rate, low_hz, high_hz, order), samples, axis=-1)


def bandlimit_telephone(samples: np.ndarray) -> np.ndarray:
    """(..., n) float at 8 kHz -> same shape, band-passed to 300-3400 Hz with zero phase (no delay)."""
    return bandpass(samples, TELEPHONE_SAMPLE_RATE, TELEPHONE_BAND_LOW_HZ, TELEPHONE_BAND_HIGH_HZ,
                    TELEPHONE_BANDPASS_ORDER)


def dbfs_to_amplitude(dbfs: float) -> float:
    """RMS level in dB re full scale -> linear RMS amplitude (full scale = 1.0)."""
    return float(10.0 ** (dbfs / 20.0))


def scale_to_rms(samples: np.ndarray, target_dbfs: float, active: np.ndarray | None = None) -> np.ndarray:
    """Scale (n,) float so that the RMS of `samples[active]` (all samples by default) is `target_dbfs`."""
    measured = samples if active is None else samples[active]
    rms = float(np.sqrt(np.mean(np.square(measured)))) if len(measured) else 0.0
    if rms == 0.0:
        raise ValueError("cannot scale a silent signal to a target level")
    return samples * (dbfs_to_amplitude(target_dbfs) / rms)


def line_noise(rng: np.random.Generator, n_samples: int, dbfs: float) -> np.ndarray:
    """(n_samples,) white Gaussian noise with RMS `dbfs` (before any band-limiting)."""
    return rng.standard_normal(n_samples) * dbfs_to_amplitude(dbfs)
