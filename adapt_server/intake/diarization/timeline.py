"""Pure timeline steps of diarization: where embedding windows go, per-frame speaker decisions, and turns.

Times are seconds; mel frames are 10 ms (`mel.FRAME_S`); decision frames are `frame_s` long.
"""
from __future__ import annotations

import numpy as np

from adapt_server.intake.diarization.encoder import PARTIAL_FRAMES
from adapt_server.intake.diarization.mel import FRAME_S as MEL_FRAME_S
from adapt_server.spans import SpeakerTurn

WINDOW_S = PARTIAL_FRAMES * MEL_FRAME_S  # 1.6 s: one embedding window

Region = tuple[float, float]  # (start s, end s)


def window_starts(regions: list[Region], step_s: float, duration_s: float,
                  min_speech_fraction: float = 0.5) -> np.ndarray:
    """float64 (n_windows,) sorted start seconds of WINDOW_S embedding windows, all on the grid k * step_s.

    A grid window is kept when at least min_speech_fraction of it is speech (`regions`); a region no kept
    window overlaps gets the grid window nearest to centring on it. Audio shorter than a window has one
    window at 0."""
    latest = max(0.0, duration_s - WINDOW_S)
    grid = np.arange(0.0, latest + 1e-9, step_s)
    if grid.size == 0 or grid[-1] < latest - 1e-9:
        grid = np.append(grid, latest) if latest > 0 else np.array([0.0])
    speech = np.zeros(grid.size)
    for start, end in regions:
        speech += np.clip(np.minimum(grid + WINDOW_S, end) - np.maximum(grid, start), 0.0, None)
    kept = speech >= min_speech_fraction * min(WINDOW_S, duration_s) - 1e-9
    for start, end in regions:
        overlaps = (grid < end) & (grid + WINDOW_S > start)
        if not (kept & overlaps).any():
            kept[int(np.argmin(np.abs(grid - (start + end - WINDOW_S) / 2)))] = True
    return grid[kept]


def speech_mask(regions: list[Region], n_frames: int, frame_s: float) -> np.ndarray:
    """bool (n_frames,): True for decision frames whose centre lies inside a speech region."""
    centres = (np.arange(n_frames) + 0.5) * frame_s
    mask = np.zeros(n_frames, dtype=bool)
    for start, end in regions:
        mask |= (centres >= start) & (centres < end)
    return mask


def frame_scores(window_start_s: np.ndarray, window_scores: np.ndarray, n_frames: int, frame_s: float,
                 smoothing_s: float) -> np.ndarray:
    """float32 (n_frames, k): each decision frame's score per speaker, the Hann-weighted mean of the scores
    (n_windows, k) of the windows covering it (a window's centre counts most), then a moving average
    over smoothing_s. Frames no window covers take the score of the nearest window."""
    n_windows, k = window_scores.shape
    sums = np.zeros((n_frames, k), dtype=np.float64)
    weight = np.zeros(n_frames, dtype=np.float64)
    frames_per_window = max(1, int(round(WINDOW_S / frame_s)))
    taper = np.hanning(frames_per_window + 2)[1:-1]
    for index in range(n_windows):
        first = int(round(window_start_s[index] / frame_s))
        last = min(n_frames, first + frames_per_window)
        if last <= first:
            continue
        sums[first:last] += taper[:last - first, None] * window_scores[index]
        weight[first:last] += taper[:last - first]
    covered = weight > 0
    if not covered.any():
        return np.zeros((n_frames, k), dtype=np.float32)
    scores = np.zeros((n_frames, k), dtype=np.float64)
    scores[covered] = sums[covered] / weight[covered, None]
    if not covered.all():
        covered_index = np.flatnonzero(covered)
        nearest = covered_index[np.clip(np.searchsorted(covered_index, np.arange(n_frames)), 0,
                                        covered_index.size - 1)]
        before = covered_index[np.clip(np.searchsorted(covered_index, np.arange(n_frames)) - 1, 0,
                                       covered_index.size - 1)]
        use_before = np.abs(before - np.arange(n_frames)) < np.abs(nearest - np.arange(n_frames))
        nearest = np.where(use_before, before, nearest)
        scores[~covered] = scores[nearest[~covered]]
    width = int(round(smoothing_s / frame_s))
    if width > 1:
        kernel = np.ones(width) / width
        padded = np.pad(scores, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
        scores = np.stack([np.convolve(padded[:, column], kernel, mode="valid") for column in range(k)], axis=1)
    return scores.astype(np.float32)


def active_speakers(scores: np.ndarray, mask: np.ndarray, overlap_margin: float | None) -> np.ndarray:
    """bool (n_frames, k): who speaks in each decision frame. Inside the speech `mask`, the best-scoring
    speaker of `scores` (n_frames, k); also the runner-up where its score is within `overlap_margin` of the
    best (overlapped speech: windows over two voices resemble both; None turns this off)."""
    n_frames, k = scores.shape
    active = np.zeros((n_frames, k), dtype=bool)
    if k == 0:
        return active
    best = np.argmax(scores, axis=1)
    active[np.arange(n_frames), best] = True
    if overlap_margin is not None and k > 1:
        order = np.argsort(-scores, axis=1)
        top, second = order[:, 0], order[:, 1]
        rows = np.arange(n_frames)
        close = scores[rows, top] - scores[rows, second] <= overlap_margin
        active[rows[close], second[close]] = True
    active &= mask[:, None]
    return active


def turns_from_activity(active: np.ndarray, frame_s: float, duration_s: float, min_turn_s: float = 0.0,
                        prefix: str = "spk") -> list[SpeakerTurn]:
    """Speaker turns from a bool (n_frames, k) activity matrix: each run of active frames of one speaker
    is a turn (runs shorter than min_turn_s are dropped); speakers are renamed f"{prefix}0", ... in order
    of first speech. Turns are sorted by (start, speaker) and clipped to [0, duration_s]; turns of
    different speakers may overlap."""
    runs: list[tuple[float, float, int]] = []
    for column in range(active.shape[1]):
        padded = np.concatenate([[False], active[:, column], [False]])
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        for first, end in zip(edges[::2], edges[1::2]):
            start_s, end_s = first * frame_s, min(end * frame_s, duration_s)
            if end_s > start_s and end_s - start_s >= min_turn_s:
                runs.append((start_s, end_s, column))
    runs.sort()
    names: dict[int, str] = {}
    for _, _, column in runs:
        names.setdefault(column, f"{prefix}{len(names)}")
    return [SpeakerTurn(start=start, end=end, speaker=names[column]) for start, end, column in runs]
