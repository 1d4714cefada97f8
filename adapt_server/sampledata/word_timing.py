"""Start and end of every word of a synthesized turn (pure).

espeak-ng reports where it starts each word (WordMark); a word then runs until the next word starts, which
includes any pause after it. The speech frames of the clip tighten each word to where its sound is.
"""

from __future__ import annotations

import numpy as np

from adapt_server.sampledata.espeak import WordMark
from adapt_server.sampledata.tokens import Token


def _mark_starts(tokens: tuple[Token, ...], marks: tuple[WordMark, ...], n_samples: int) -> np.ndarray:
    """(n_tokens,) float sample where espeak-ng starts each token; tokens without a mark interpolated."""
    starts = np.full(len(tokens), np.nan)
    for mark in marks:
        for index, token in enumerate(tokens):
            if token.char_start <= mark.char_start < token.char_end:
                if np.isnan(starts[index]):
                    starts[index] = mark.sample
                break
    known = np.flatnonzero(~np.isnan(starts))
    if len(known) == 0:  # no marks at all: spread the tokens over the clip by character count
        weights = np.array([max(len(token.text), 1) for token in tokens], dtype=float)
        return np.concatenate([[0.0], np.cumsum(weights)[:-1]]) / weights.sum() * n_samples
    positions = np.array([token.char_start for token in tokens], dtype=float)
    anchors_x = np.concatenate([[positions[0] - 1.0], positions[known], [positions[-1] + 1.0]])
    anchors_y = np.concatenate([[0.0], starts[known], [float(n_samples)]])
    filled = np.interp(positions, anchors_x, anchors_y)
    filled[known] = starts[known]
    return np.maximum.accumulate(np.clip(filled, 0.0, float(n_samples)))


def word_sample_spans(
    tokens: tuple[Token, ...],
    marks: tuple[WordMark, ...],
    speech: np.ndarray,
    frame: int,
    n_samples: int,
) -> np.ndarray:
    """Sample span of each word of a clip.

    tokens: the words of the synthesized text; marks: espeak-ng's word starts (sample indices);
    speech: (n_frames,) bool speech frames of the clip (frames of `frame` samples); n_samples: clip length.
    Returns (n_tokens, 2) int64 [start, end) sample indices in the clip, non-overlapping and in order.
    """
    if not tokens:
        return np.zeros((0, 2), dtype=np.int64)
    starts = _mark_starts(tokens, marks, n_samples)
    nexts = np.concatenate([starts[1:], [float(n_samples)]])
    spans = np.zeros((len(tokens), 2), dtype=np.int64)
    for index, (raw_start, raw_end) in enumerate(zip(starts, nexts)):
        start, end = int(round(raw_start)), int(round(raw_end))
        first_frame, last_frame = start // frame, -(-end // frame)
        active = np.flatnonzero(speech[first_frame:last_frame])
        if len(active):
            start = max(start, (first_frame + int(active[0])) * frame)
            end = min(end, (first_frame + int(active[-1]) + 1) * frame)
        spans[index] = (start, max(start, end))
    return spans
