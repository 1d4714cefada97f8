"""Hallucination detectors: words emitted on non-speech, and repetition loops.

- **Words on non-speech**: a hypothesis word counts when its temporal midpoint lies inside a region known
  not to hold speech (half-open [start, end) seconds; for example the gaps between reference speaker turns, or
  a whole utterance whose reference is empty). The engine's own VAD regions are *not* a reference: they are
  the model's judgement, not the truth.
- **Repetition loop**: the (normalized) hypothesis repeats some n-gram of 1..`MAX_LOOP_NGRAM` words at least
  `MIN_LOOP_REPEATS` times in a row ("the the the the", "thank you thank you thank you thank you"), or some
  window of `COMPRESSION_WINDOW_WORDS` words of the raw text has a zlib compression ratio above
  `COMPRESSION_RATIO_THRESHOLD` (openai/whisper's test for a looping decode; windows of ~30 s of speech, as
  Whisper applies it per 30-s window, because long natural text compresses better than short).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapt_server.engines.quality import compression_ratio, ngram_runs

MIN_LOOP_REPEATS = 4  # consecutive occurrences of one n-gram that make a loop ("no no no" is still speech)
MAX_LOOP_NGRAM = 10  # longest n-gram (words) searched for a loop
COMPRESSION_RATIO_THRESHOLD = 2.4  # openai/whisper's compression_ratio_threshold
COMPRESSION_WINDOW_WORDS = 120  # ~30 s of speech at ~4 words/s: the span one Whisper decoding window holds


def longest_consecutive_repeat(words: Sequence[str], max_ngram: int = MAX_LOOP_NGRAM) -> tuple[int, int]:
    """(n, repeats): the n-gram (n in 1..max_ngram words) that occurs the most times in a row, and that count.

    (0, 0) for no words; (1, 1) when nothing repeats. The runs are the engine's (`engines.quality.ngram_runs`),
    over word ids.
    """
    if not words:
        return 0, 0
    _, ids = np.unique(np.asarray(words, dtype=object).astype(str), return_inverse=True)
    best_n, best_repeats = 1, 1
    for run in ngram_runs(ids, max_ngram):
        if run.copies > best_repeats:
            best_n, best_repeats = run.size, run.copies
    return best_n, best_repeats


def max_window_compression_ratio(text: str, window_words: int = COMPRESSION_WINDOW_WORDS) -> float:
    """The highest zlib compression ratio over consecutive windows of `window_words` words of `text`
    (one window when shorter); 0.0 for empty text."""
    words = text.split()
    starts = range(0, max(len(words), 1), window_words)
    return max(compression_ratio(" ".join(words[start:start + window_words])) for start in starts)


def is_repetition_loop(words: Sequence[str], text: str, *, min_repeats: int = MIN_LOOP_REPEATS,
                       max_ngram: int = MAX_LOOP_NGRAM,
                       compression_threshold: float = COMPRESSION_RATIO_THRESHOLD) -> bool:
    """True when `words` (normalized hypothesis words) repeat an n-gram `min_repeats` times in a row, or the
    raw hypothesis `text` compresses above `compression_threshold` in some window."""
    _, repeats = longest_consecutive_repeat(words, max_ngram)
    return repeats >= min_repeats or max_window_compression_ratio(text) > compression_threshold


def words_on_non_speech(word_spans: Sequence[tuple[float, float]] | np.ndarray,
                        non_speech: Sequence[tuple[float, float]] | np.ndarray) -> int:
    """How many words have their midpoint inside a non-speech region.

    word_spans: (n_words, 2) start, end seconds of each hypothesis word (e.g. `[(w.start, w.end) for w in
    transcription.words]`). non_speech: (n_regions, 2) start, end seconds of regions known to hold no speech,
    in any order, possibly overlapping; a region covers [start, end).
    """
    spans = np.asarray(word_spans, dtype=np.float64).reshape(-1, 2)
    regions = np.asarray(non_speech, dtype=np.float64).reshape(-1, 2)
    if len(spans) == 0 or len(regions) == 0:
        return 0
    regions = regions[np.argsort(regions[:, 0], kind="stable")]
    reach = np.maximum.accumulate(regions[:, 1])  # furthest end among regions starting at or before each one
    midpoints = spans.mean(axis=1)
    last_started = np.searchsorted(regions[:, 0], midpoints, side="right") - 1
    inside = (last_started >= 0) & (midpoints < reach[np.maximum(last_started, 0)])
    return int(inside.sum())


def non_speech_seconds(non_speech: Sequence[tuple[float, float]] | np.ndarray) -> float:
    """Seconds covered by the union of the regions (n_regions, 2) start, end seconds."""
    regions = np.asarray(non_speech, dtype=np.float64).reshape(-1, 2)
    if len(regions) == 0:
        return 0.0
    regions = regions[np.argsort(regions[:, 0], kind="stable")]
    reach_before = np.concatenate([[-np.inf], np.maximum.accumulate(regions[:-1, 1])])
    starts = np.maximum(regions[:, 0], reach_before)  # the part of each region not covered by earlier ones
    return float(np.clip(regions[:, 1] - starts, 0.0, None).sum())
