"""Checking and resampling the audio and speaker-count arguments of the diarizers; thread pinning."""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.errors import InvalidArgument

SAMPLE_RATE = TARGET_SAMPLE_RATE  # Hz: what Silero VAD and the speaker encoder take


def mono_16k(samples: np.ndarray, sample_rate: int, what: str = "samples") -> np.ndarray:
    """float32 (n,) at 16 kHz from a 1-D float array at `sample_rate` Hz (polyphase resampling).

    Raises InvalidArgument for a non-1-D array, a non-finite sample, or a sample rate that is not a
    positive integer."""
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, np.integer)) or sample_rate <= 0:
        raise InvalidArgument(f"sample_rate must be a positive integer (Hz), got {sample_rate!r}")
    array = np.asarray(samples)
    if array.ndim != 1:
        raise InvalidArgument(f"{what} must be mono, a 1-D array of samples; got shape {array.shape} "
                              "(split stereo calls into channels and use diarize_channels)")
    if not np.issubdtype(array.dtype, np.floating):
        raise InvalidArgument(f"{what} must be float samples in [-1, 1], got dtype {array.dtype}")
    array = array.astype(np.float32, copy=False)
    if array.size and not np.isfinite(array).all():
        raise InvalidArgument(f"{what} contain NaN or infinite values")
    if sample_rate == SAMPLE_RATE or array.size == 0:
        return np.ascontiguousarray(array)
    from scipy.signal import resample_poly

    divisor = math.gcd(int(sample_rate), SAMPLE_RATE)
    return resample_poly(array, SAMPLE_RATE // divisor, int(sample_rate) // divisor).astype(np.float32)


def check_speaker_counts(num_speakers: int | None, min_speakers: int, max_speakers: int) -> None:
    """Raises InvalidArgument unless 1 <= min_speakers <= max_speakers and num_speakers (when given) >= 1."""
    for name, value in (("min_speakers", min_speakers), ("max_speakers", max_speakers)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidArgument(f"{name} must be an integer >= 1, got {value!r}")
    if min_speakers > max_speakers:
        raise InvalidArgument(f"min_speakers ({min_speakers}) must not exceed max_speakers ({max_speakers})")
    if num_speakers is not None and (isinstance(num_speakers, bool) or not isinstance(num_speakers, (int, np.integer))
                                     or num_speakers < 1):
        raise InvalidArgument(f"num_speakers must be an integer >= 1 or None (count it), got {num_speakers!r}")


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Runs the block with torch's intra-op pool at `threads` (None: leave the process setting, which a
    worker sets once from adapt_kernels.threads.apply_thread_budget), restoring the previous count after."""
    if threads is None:
        yield
        return
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InvalidArgument(f"threads must be an integer >= 1 or None, got {threads!r}")
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
