"""The telephone channel: resample to 8 kHz, band-limit to 300-3400 Hz, add line noise (pure compute).

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


def resample_to_telephone(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """(n,) float at `sample_rate` Hz -> (ceil(n * 8000 / sample_rate),) float at 8 kHz.

    Polyphase resampling; its anti-aliasing filter removes everything above 4 kHz.
    """
    divisor = gcd(TELEPHONE_SAMPLE_RATE, sample_rate)
    return signal.resample_poly(samples, TELEPHONE_SAMPLE_RATE // divisor, sample_rate // divisor)


@lru_cache(maxsize=1)
def _telephone_band_sos() -> np.ndarray:
    return signal.butter(
        TELEPHONE_BANDPASS_ORDER,
        [TELEPHONE_BAND_LOW_HZ, TELEPHONE_BAND_HIGH_HZ],
        btype="bandpass",
        fs=TELEPHONE_SAMPLE_RATE,
        output="sos",
    )


def bandlimit_telephone(samples: np.ndarray) -> np.ndarray:
    """(..., n) float at 8 kHz -> same shape, band-passed to 300-3400 Hz with zero phase (no delay)."""
    return signal.sosfiltfilt(_telephone_band_sos(), samples, axis=-1)


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
