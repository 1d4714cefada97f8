"""What every engine does before decoding, written once: check the call (options, batch size) and each input's
samples, and cut an input into VAD decoding windows.

Windows: Silero VAD finds the speech; regions are padded, packed into <= 30-s windows cut at pauses and grown
into the surrounding non-speech (an input of <= 30 s with any speech is one whole window; see vad.py).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.engines.errors import DecodeCancelled
from adapt_server.engines.options import DecodeOptions, VadOptions
from adapt_server.engines.vad import MAX_WINDOW_S, Window, decoding_windows, pad_regions, shared_vad, unpadded_regions


Cancel = Callable[[], bool] | threading.Event | None
"""A cancellation token an engine call may take (`cancel=`): a callable that returns True, or a set Event, once
the caller no longer wants the result (its client went away, its deadline passed, the server is stopping).
Engines check it between windows and batches (never inside a model call), so work stops within one batch."""


def cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())


def check_cancelled(cancel: Cancel) -> None:
    """Raises DecodeCancelled (status CANCELLED) when the token fired."""
    if cancelled(cancel):
        raise DecodeCancelled("the transcription was cancelled before it finished")


@dataclass(frozen=True)
class SpeechWindows:
    """One input's detected speech and the windows to decode it in."""

    speech: list[tuple[float, float]]  # unpadded speech regions, seconds
    windows: list[Window]  # decoding windows (<= 30 s), in time order


def check_call(options: DecodeOptions, batch_size: int) -> None:
    """Raises InvalidDecodeOptions for bad options, ValueError for a batch size that is not an integer >= 1."""
    options.validate()
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1; got {batch_size!r}")


def checked_audio(audio: np.ndarray, index: int) -> np.ndarray:
    """Input `index` as contiguous float32 (n_samples,); ValueError/TypeError naming the item when it is not
    mono float samples, or holds NaN or infinities."""
    array = np.asarray(audio)
    if array.ndim != 1:
        raise ValueError(f"audio[{index}] must be mono samples of shape (n_samples,); got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"audio[{index}] has dtype {array.dtype}; pass float samples in [-1, 1] at 16 kHz "
                        "(for 16-bit PCM: samples.astype(np.float32) / 32768)")
    samples = np.ascontiguousarray(array, dtype=np.float32)
    if not np.isfinite(samples).all():
        raise ValueError(f"audio[{index}] contains NaN or infinite samples")
    return samples


def checked_audios(audios) -> list[np.ndarray]:
    return [checked_audio(audio, index) for index, audio in enumerate(audios)]


def speech_windows(samples: np.ndarray, vad: VadOptions, cancel: Cancel = None) -> SpeechWindows:
    """The speech of one input (float32 (n,), 16 kHz) and its decoding windows; none for empty audio. `cancel`
    is checked between VAD blocks (~131 s of audio each)."""
    if samples.size == 0:
        return SpeechWindows([], [])
    duration = samples.size / TARGET_SAMPLE_RATE
    probabilities = shared_vad().speech_probabilities(samples, between_blocks=lambda: check_cancelled(cancel))
    speech = unpadded_regions(probabilities, duration, vad, MAX_WINDOW_S)
    return SpeechWindows(speech, decoding_windows(pad_regions(speech, vad.speech_pad_s, duration), duration,
                                                  MAX_WINDOW_S))
