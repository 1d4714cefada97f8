"""Word times and probabilities from CTranslate2's `Whisper.align` (cross-attention DTW over the model's
alignment heads), for one decoding window.

Pure functions. The conversion of alignment pairs into word boundaries, the punctuation merging and the
long-word truncation follow faster-whisper's `find_alignment`, `merge_punctuations` and
`add_word_timestamps` (MIT), themselves from openai/whisper's `timing.py`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from adapt_kernels.whisper_constants import TOKENS_PER_SECOND

from adapt_server.engines.tokenizer import WhisperTokenizer

ENCODER_FRAMES_PER_SECOND = TOKENS_PER_SECOND  # 50 encoder positions per second
PREPEND_PUNCTUATION = "\"'“¿([{-"  # merged into the following word
APPEND_PUNCTUATION = "\"'.。,，!！?？:：”)]}、"  # merged into the preceding word
SENTENCE_END_MARKS = ".。!！?？"
MAX_MEDIAN_WORD_S = 0.7  # seconds: cap on the median word duration used to bound long words


@dataclass(frozen=True)
class TimedWord:
    """A word of a window on the audio's timeline."""

    text: str  # with its leading space, as decoded (joining texts rebuilds the window's text)
    tokens: tuple[int, ...]
    start: float  # seconds
    end: float  # seconds, >= start
    probability: float  # mean probability of its tokens, 0..1


def timed_words(tokenizer: WhisperTokenizer, text_tokens: list[int], alignments: list[tuple[int, int]],
                token_probabilities: list[float], offset_s: float, window_end_s: float,
                language: str | None = "en") -> list[TimedWord]:
    """Words of `text_tokens` with times (offset_s + aligned time, clipped to [offset_s, window_end_s]).

    alignments: (text token index, encoder frame index) pairs of the DTW path (`WhisperAlignmentResult.
    alignments`); token_probabilities: probability of each text token (`text_token_probs`).
    """
    words = tokenizer.split_words(list(text_tokens) + [tokenizer.eot], language)
    if len(words) <= 1 or not alignments:
        return []
    text_indices = np.array([pair[0] for pair in alignments])
    time_indices = np.array([pair[1] for pair in alignments])
    jumps = np.pad(np.diff(text_indices), (1, 0), constant_values=1).astype(bool)
    jump_times = time_indices[jumps] / ENCODER_FRAMES_PER_SECOND
    boundaries = np.pad(np.cumsum([len(word.tokens) for word in words[:-1]]), (1, 0))
    boundaries = np.minimum(boundaries, len(jump_times) - 1)
    probabilities = np.asarray(token_probabilities, dtype=np.float64)
    timed = []
    for index, word in enumerate(words[:-1]):
        first, last = boundaries[index], boundaries[index + 1]
        token_probs = probabilities[first:last]
        timed.append(_Mutable(word.text, word.tokens, float(jump_times[first]), float(jump_times[last]),
                              float(np.mean(token_probs)) if token_probs.size else 0.0))
    _bound_long_words(timed)
    timed = _merge_punctuation(timed)
    result = []
    previous_end = offset_s
    for word in timed:
        start = min(max(offset_s + word.start, previous_end), window_end_s)
        end = min(max(offset_s + word.end, start), window_end_s)
        result.append(TimedWord(word.text, word.tokens, round(start, 3), round(end, 3),
                                min(1.0, max(0.0, word.probability))))
        previous_end = end
    return result


@dataclass
class _Mutable:
    text: str
    tokens: tuple[int, ...]
    start: float
    end: float
    probability: float


def _bound_long_words(words: list[_Mutable]) -> None:
    """DTW gives the first word, a sentence-end mark or the word after one the whole pause next to it: cap
    those at twice the median word duration."""
    durations = np.array([word.end - word.start for word in words])
    durations = durations[durations.nonzero()]
    if durations.size == 0:
        return
    max_duration = 2 * min(MAX_MEDIAN_WORD_S, float(np.median(durations)))
    first = words[0]
    if first.end - first.start > max_duration:  # the first word also absorbs the silence before the speech
        first.start = first.end - max_duration
    for index in range(1, len(words)):
        word = words[index]
        if word.end - word.start > max_duration:
            if word.text.strip() in SENTENCE_END_MARKS:
                word.end = word.start + max_duration
            elif words[index - 1].text.strip() in SENTENCE_END_MARKS:
                word.start = word.end - max_duration


def _merge_punctuation(words: list[_Mutable]) -> list[_Mutable]:
    """Opening punctuation (' "', ' (') joins the next word, closing punctuation ('.', ',') the previous one;
    the times and probability of the word joined are kept."""
    merged: list[_Mutable] = []
    prefix: _Mutable | None = None
    for word in words:
        if word.text.startswith(" ") and word.text.strip() and word.text.strip() in PREPEND_PUNCTUATION:
            prefix = word if prefix is None else _Mutable(prefix.text + word.text, prefix.tokens + word.tokens,
                                                         prefix.start, word.end, prefix.probability)
            continue
        if prefix is not None:
            word = _Mutable(prefix.text + word.text, prefix.tokens + word.tokens, word.start, word.end,
                            word.probability)
            prefix = None
        if merged and word.text and word.text in APPEND_PUNCTUATION and not merged[-1].text.endswith(" "):
            last = merged[-1]
            merged[-1] = _Mutable(last.text + word.text, last.tokens + word.tokens, last.start, last.end,
                                  last.probability)
            continue
        merged.append(word)
    if prefix is not None:
        merged.append(prefix)
    return merged
