"""Whisper's log-mel front-end: the one feature extractor Adapt uses for training, evaluation and serving.

Output matches openai/whisper's ``log_mel_spectrogram`` and transformers' ``WhisperFeatureExtractor``:
periodic Hann window, centred STFT with reflect padding (N_FFT = 400, HOP_LENGTH = 160 at 16 kHz), power
spectrum, Slaney mel filters, log10 of max(mel, 1e-10), clamp to (max - 8), scale to (x + 4) / 4, and the
last STFT frame dropped. All values are float32; the maximum is taken over the whole returned spectrogram
(per item in a batch).

Padding convention (the only one in Adapt): **audio** is padded with zeros, never features. A 30-s window
of shorter audio is the log-mel of the audio followed by zeros up to N_SAMPLES, as transformers
(``padding="max_length"``) and openai/whisper (``log_mel_spectrogram(audio, padding=N_SAMPLES)``) compute
it. faster-whisper instead pads the *features* with zeros (a feature value of 0 means log10 power -4,
nothing like the log-mel of silence), so a model tuned on one and served with the other quietly loses
accuracy. The clamp floor (max - 8) depends on what the maximum is taken over: training sees one 30-s clip
per item (:func:`log_mel_batch`), so serving should featurize each 30-s window the same way rather than
slice a whole-recording spectrogram (whose maximum is the recording's).

Long audio (minutes) is fine in one call: memory is the output plus ~130 KiB of scratch per thread.
The computation is in :mod:`adapt_kernels.log_mel_kernel` (numba, parallel over frames with the numba thread
count; pin it with :mod:`adapt_kernels.threads`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from functools import lru_cache

import numba
import numpy as np

from .log_mel_kernel import DYNAMIC_RANGE_LOG10, finish_log_mel_into, mel_power_into
from .mel_filterbank import checked_n_mels, mel_filters, sparse_mel_filters
from .whisper_constants import HOP_LENGTH, N_FFT, N_SAMPLES, SAMPLE_RATE

__all__ = ["hann_window", "log_mel_batch", "log_mel_spectrogram", "mel_filters", "n_frames_for", "warmup"]


@lru_cache(maxsize=1)
def hann_window() -> np.ndarray:
    """The periodic Hann window of ``torch.hann_window(N_FFT)``: float32, shape (N_FFT,), read-only."""
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    window.flags.writeable = False
    return window


def n_frames_for(n_samples: int, padding: int = 0) -> int:
    """Number of log-mel frames (10 ms each) for ``n_samples`` of audio followed by ``padding`` zero samples."""
    return (n_samples + padding) // HOP_LENGTH


def log_mel_spectrogram(audio: np.ndarray, n_mels: int = 80, padding: int = 0) -> np.ndarray:
    """Whisper log-mel spectrogram of mono 16-kHz audio.

    Args:
        audio: float samples in [-1, 1] at SAMPLE_RATE (16000 Hz), shape (n_samples,), n_samples >= 1.
            float64 is converted to float32; integer PCM is refused (scale it to [-1, 1] first).
        n_mels: mel bins, 80 (tiny ... large-v2) or 128 (large-v3).
        padding: zero samples appended to the audio before the STFT (openai/whisper's ``padding``), >= 0.

    Returns:
        float32, shape (n_mels, (n_samples + padding) // HOP_LENGTH): frame t covers audio around
        t * 10 ms. Fewer than 160 samples with no padding give zero frames, shape (n_mels, 0).
    """
    samples = _as_mono_float32(audio, what="audio")
    padding = _checked_padding(padding)
    out = np.empty((checked_n_mels(n_mels), n_frames_for(samples.shape[0], padding)), dtype=np.float32)
    _log_mel_into(samples, padding, out)
    return out


def log_mel_batch(audios: Sequence[np.ndarray], n_mels: int = 80, pad_to_30s: bool = True) -> np.ndarray:
    """Whisper log-mel features of a batch of clips, each zero-padded as *audio* (never as features).

    Args:
        audios: mono float clips at 16 kHz, each shape (n_samples_i,) with n_samples_i >= 1.
        n_mels: mel bins, 80 or 128.
        pad_to_30s: True (training / 30-s decoding windows): every clip is padded to N_SAMPLES (30 s) and
            must not be longer. False: every clip is padded to the longest one in the batch.

    Returns:
        float32, shape (batch, n_mels, N_FRAMES = 3000) when pad_to_30s, else
        (batch, n_mels, longest_n_samples // HOP_LENGTH). Item i equals
        ``log_mel_spectrogram(audios[i], n_mels, padding=target - n_samples_i)``.

    Raises:
        ValueError: an empty batch, an empty or non-mono clip, or (pad_to_30s) a clip over 30 s. Clips are
            not truncated silently: that would cut speech that the transcript still contains.
    """
    if len(audios) == 0:
        raise ValueError("log_mel_batch got an empty batch; pass at least one clip")
    clips = [_as_mono_float32(audio, what=f"audios[{index}]") for index, audio in enumerate(audios)]
    lengths = [clip.shape[0] for clip in clips]
    target = N_SAMPLES if pad_to_30s else max(lengths)
    too_long = [(index, length) for index, length in enumerate(lengths) if length > target]
    if too_long:
        described = ", ".join(f"audios[{index}] is {length / SAMPLE_RATE:.3f} s" for index, length in too_long[:5])
        raise ValueError(
            f"log_mel_batch(pad_to_30s=True) takes clips of at most {N_SAMPLES / SAMPLE_RATE:.0f} s "
            f"({N_SAMPLES} samples); {described}. Split long audio into 30-s windows first, or use "
            "log_mel_spectrogram() for a whole recording."
        )
    out = np.empty((len(clips), checked_n_mels(n_mels), n_frames_for(target)), dtype=np.float32)
    for index, clip in enumerate(clips):
        _log_mel_into(clip, target - clip.shape[0], out[index])
    return out


def warmup() -> float:
    """Compile (or load from numba's on-disk cache) every kernel this module uses; returns seconds spent.

    Call it once at process start (e.g. in a worker's initializer) so the first request does not pay for
    compilation: 3-7 s the very first time on a machine (2 cores), ~0.2 s once the cache exists.
    """
    started = time.perf_counter()
    rng = np.random.default_rng(0)
    log_mel_spectrogram(rng.standard_normal(SAMPLE_RATE // 10).astype(np.float32), padding=N_FFT)
    return time.perf_counter() - started


def _log_mel_into(samples: np.ndarray, padding: int, out: np.ndarray) -> None:
    """Fill ``out`` (float32, (n_mels, n_frames), C-contiguous) with the log-mel of samples + padding zeros."""
    filters = sparse_mel_filters(out.shape[0])
    max_power = mel_power_into(samples, padding, hann_window(), filters.first_bin, filters.n_bins,
                               filters.weights, numba.get_num_threads(), out).max()
    # numpy's log10 is SIMD (~1.5 ms per 10 min of audio); numba's is a scalar libm call (~25 ms).
    np.log10(out, out=out)
    lowest = np.log10(np.float32(max_power)) - np.float32(DYNAMIC_RANGE_LOG10)
    finish_log_mel_into(out, np.float32(lowest))


def _as_mono_float32(audio: np.ndarray, what: str) -> np.ndarray:
    """``audio`` as a C-contiguous float32 array of shape (n_samples,), n_samples >= 1, or a clear error."""
    array = np.asarray(audio)
    if array.ndim != 1:
        raise ValueError(
            f"{what} must be mono samples of shape (n_samples,); got shape {array.shape}. "
            "Downmix or pick one channel first."
        )
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(
            f"{what} has dtype {array.dtype}; the log-mel front-end needs float samples in [-1, 1] at "
            f"{SAMPLE_RATE} Hz (for 16-bit PCM: samples.astype(np.float32) / 32768)."
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"{what} is empty (0 samples): there is nothing to featurize; check the decode/trim step that "
            "produced it."
        )
    return np.ascontiguousarray(array, dtype=np.float32)


def _checked_padding(padding: int) -> int:
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding is a number of zero samples to append, an integer >= 0; got {padding!r}")
    return int(padding)
