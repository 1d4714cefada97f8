"""Frame energy of a waveform and where speech is in it (pure array-in/array-out)."""

from __future__ import annotations

import numpy as np


def frame_rms(samples: np.ndarray, frame: int) -> np.ndarray:
    """RMS of consecutive non-overlapping frames.

    samples: (n_samples,) any numeric dtype; frame: samples per frame.
    Returns (ceil(n_samples / frame),) float64; the last frame is zero-padded.
    """
    if frame <= 0:
        raise ValueError(f"frame must be a positive number of samples, got {frame}")
    values = np.asarray(samples, dtype=np.float64)
    n_frames = -(-len(values) // frame)
    padded = np.zeros(n_frames * frame)
    padded[: len(values)] = values
    return np.sqrt(np.mean(padded.reshape(n_frames, frame) ** 2, axis=1))


def speech_frames(samples: np.ndarray, frame: int, floor_relative: float) -> np.ndarray:
    """Which frames hold speech: RMS above `floor_relative` times the loudest frame's RMS.

    Returns (n_frames,) bool, frames as in frame_rms. All False for an all-zero signal.
    """
    rms = frame_rms(samples, frame)
    peak = rms.max(initial=0.0)
    if peak == 0.0:
        return np.zeros(len(rms), dtype=bool)
    return rms > floor_relative * peak


def speech_bounds(samples: np.ndarray, frame: int, floor_relative: float) -> tuple[int, int]:
    """Sample range [start, end) from the first to the last speech frame (see speech_frames).

    Raises ValueError when the signal holds no speech at all.
    """
    active = np.flatnonzero(speech_frames(samples, frame, floor_relative))
    if len(active) == 0:
        raise ValueError("the signal is silent: no frame rises above the speech floor")
    return int(active[0] * frame), int(min((active[-1] + 1) * frame, len(samples)))
