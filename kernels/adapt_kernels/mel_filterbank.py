"""Slaney-style mel filter bank used by Whisper (pure numpy, float64).

Matches ``librosa.filters.mel(sr=16000, n_fft=400, n_mels=n, htk=False, norm="slaney")`` and
transformers' ``WhisperFeatureExtractor(feature_size=n).mel_filters.T``: triangles whose corners are evenly
spaced on the Slaney mel scale (linear below 1 kHz, logarithmic above), each scaled by 2 / (its width in Hz)
so that every filter carries about the same energy.

Also provides :class:`SparseMelFilters`, the compact form the log-mel kernel multiplies with: every filter is
non-zero only on a short run of consecutive FFT bins, so a dense (n_mels, 201) matrix product does ~40x more
work than needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .whisper_constants import N_FFT, N_FREQ_BINS, SAMPLE_RATE

_SLANEY_BREAK_HZ = 1000.0  # Hz where the scale turns logarithmic
_SLANEY_BREAK_MEL = 15.0  # mel value at _SLANEY_BREAK_HZ
_SLANEY_LOG_STEP = np.log(6.4) / 27.0  # natural-log Hz step per mel in the log region
_SLANEY_MELS_PER_LOG_HZ = 27.0 / np.log(6.4)  # its inverse (kept separate: same rounding as librosa/HF)


def _hz_to_slaney_mel(hz: float) -> float:
    """One frequency in Hz -> Slaney mel."""
    if hz >= _SLANEY_BREAK_HZ:
        return _SLANEY_BREAK_MEL + np.log(hz / _SLANEY_BREAK_HZ) * _SLANEY_MELS_PER_LOG_HZ
    return 3.0 * hz / 200.0


def _slaney_mel_to_hz(mels: np.ndarray) -> np.ndarray:
    """Slaney mel values, shape (n,) -> frequencies in Hz, shape (n,)."""
    hz = 200.0 * mels / 3.0  # linear region: 200/3 Hz per mel
    log_region = mels >= _SLANEY_BREAK_MEL
    hz[log_region] = _SLANEY_BREAK_HZ * np.exp(_SLANEY_LOG_STEP * (mels[log_region] - _SLANEY_BREAK_MEL))
    return hz


def mel_filters(n_mels: int) -> np.ndarray:
    """Whisper's mel filter bank.

    Args:
        n_mels: number of mel bins (80 for tiny ... large-v2, 128 for large-v3).

    Returns:
        float64 array, shape (n_mels, N_FREQ_BINS = 201): row m holds filter m's weight on each FFT bin
        (bin k is at k * SAMPLE_RATE / N_FFT Hz, 0 ... 8000 Hz). A fresh array on every call.
    """
    return _mel_filters_cached(checked_n_mels(n_mels)).copy()


def checked_n_mels(n_mels: int) -> int:
    """``n_mels`` as an int, or ValueError saying what is accepted."""
    if isinstance(n_mels, bool) or not isinstance(n_mels, (int, np.integer)) or not 1 <= n_mels <= N_FREQ_BINS:
        raise ValueError(f"n_mels must be an integer in [1, {N_FREQ_BINS}] (Whisper uses 80 or 128); got {n_mels!r}")
    return int(n_mels)


@lru_cache(maxsize=8)
def _mel_filters_cached(n_mels: int) -> np.ndarray:
    max_hz = SAMPLE_RATE / 2.0
    corner_mels = np.linspace(_hz_to_slaney_mel(0.0), _hz_to_slaney_mel(max_hz), n_mels + 2)
    corner_hz = _slaney_mel_to_hz(corner_mels)  # (n_mels + 2,): left corner, centre, right corner of each
    bin_hz = np.linspace(0, SAMPLE_RATE // 2, N_FREQ_BINS)  # (201,)

    corner_gaps = np.diff(corner_hz)  # (n_mels + 1,)
    distance = corner_hz[np.newaxis, :] - bin_hz[:, np.newaxis]  # (201, n_mels + 2)
    rising = -distance[:, :-2] / corner_gaps[:-1]  # (201, n_mels): 0 at left corner, 1 at centre
    falling = distance[:, 2:] / corner_gaps[1:]  # (201, n_mels): 1 at centre, 0 at right corner
    triangles = np.maximum(np.zeros(1), np.minimum(rising, falling))  # (201, n_mels)

    area_norm = 2.0 / (corner_hz[2 : n_mels + 2] - corner_hz[:n_mels])  # (n_mels,), 1/Hz
    weights = (triangles * area_norm[np.newaxis, :]).T  # (n_mels, 201)
    weights = np.ascontiguousarray(weights)
    weights.flags.writeable = False
    return weights


@dataclass(frozen=True)
class SparseMelFilters:
    """The mel filter bank stored as one run of consecutive non-zero FFT bins per filter (float32).

    Filter m covers bins ``first_bin[m] ... first_bin[m] + n_bins[m] - 1`` with weights
    ``weights[m, :n_bins[m]]``; ``weights[m, n_bins[m]:]`` is zero padding.
    """

    first_bin: np.ndarray  # int64, shape (n_mels,): index of the filter's first non-zero FFT bin
    n_bins: np.ndarray  # int64, shape (n_mels,): how many consecutive bins the filter covers
    weights: np.ndarray  # float32, shape (n_mels, max(n_bins)): the non-zero weights, left-aligned

    @property
    def n_mels(self) -> int:
        return int(self.first_bin.shape[0])


def sparse_mel_filters(n_mels: int) -> SparseMelFilters:
    """The float32 filters of :func:`mel_filters`, as :class:`SparseMelFilters` (cached, read-only arrays).

    The weights are cast to float32 exactly as transformers' torch path does before its matrix product.
    """
    return _sparse_mel_filters_cached(checked_n_mels(n_mels))


@lru_cache(maxsize=8)
def _sparse_mel_filters_cached(n_mels: int) -> SparseMelFilters:
    dense = _mel_filters_cached(n_mels).astype(np.float32)  # (n_mels, 201)
    first_bin = np.zeros(n_mels, dtype=np.int64)
    n_bins = np.zeros(n_mels, dtype=np.int64)
    for mel in range(n_mels):
        nonzero = np.flatnonzero(dense[mel])
        if nonzero.size:
            first_bin[mel] = nonzero[0]
            n_bins[mel] = nonzero[-1] - nonzero[0] + 1
    weights = np.zeros((n_mels, max(1, int(n_bins.max()))), dtype=np.float32)
    for mel in range(n_mels):
        weights[mel, : n_bins[mel]] = dense[mel, first_bin[mel] : first_bin[mel] + n_bins[mel]]
    for array in (first_bin, n_bins, weights):
        array.flags.writeable = False
    return SparseMelFilters(first_bin=first_bin, n_bins=n_bins, weights=weights)
