"""Forced alignment of known text to a window of audio (<= 30 s) with Whisper's cross-attention.

The window is encoded once (Adapt's log-mel front-end, padded to 30 s as the engine does); CTranslate2's
`Whisper.align` runs the decoder over the known tokens (teacher forcing) and returns the DTW path through the
alignment heads' attention plus each token's probability; `engines/word_timing.timed_words` turns that into
word times. The times are then moved earlier by ATTENTION_LAG_S (see there) and mapped back onto the
transcript's whitespace-separated words by character position.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ctranslate2
import numpy as np
from adapt_kernels.whisper_constants import HOP_LENGTH, MAX_TEXT_TOKENS, MEDIAN_FILTER_WIDTH, SAMPLE_RATE

from adapt_server.engines.word_timing import timed_words
from adapt_server.spans import Word

# Whisper's cross-attention peaks lag the sound: DTW word starts and ends came out late by a median 96 ms
# (starts) / 109 ms (ends) against the exact word times of 4 generated calls (584 words, tiny.en int8); on
# real read speech (../shared/realspeech/align, pocketsphinx silver) the lag was 110 ms. The constant is the
# generated-call figure, so the benchmark on real speech is not tuned on itself (bench/alignment_bench.py
# re-measures it with --calibrate).
ATTENTION_LAG_S = 0.096
CONTEXT_S = 30  # seconds the encoder sees per window (the window, padded with silence)
BATCH_SIZE = 8  # windows per encode/align call


@dataclass(frozen=True)
class AlignmentWindow:
    """Known words spoken inside `start`..`end` seconds of the recording (end - start <= 30 s)."""

    start: float  # seconds
    end: float  # seconds
    words: tuple[str, ...]  # transcript words as written (whitespace-separated tokens)


def force_align(engine, samples: np.ndarray, windows: Sequence[AlignmentWindow],
                lag_s: float = ATTENTION_LAG_S) -> list[list[Word]]:
    """Words with times (recording timeline) and confidences (mean token probability) for every window.

    engine: a loaded `WhisperEngine`; samples: float32 (n,) at 16 kHz. One list per window, one Word per
    window word, in order; times inside the window and non-decreasing.
    """
    results: list[list[Word]] = []
    for first in range(0, len(windows), BATCH_SIZE):
        results += _align_batch(engine, samples, list(windows[first:first + BATCH_SIZE]), lag_s)
    return results


def _align_batch(engine, samples: np.ndarray, windows: list[AlignmentWindow], lag_s: float) -> list[list[Word]]:
    tokenizer = engine.tokenizer
    clips, texts, token_lists = [], [], []
    for window in windows:
        first = max(0, int(round(window.start * SAMPLE_RATE)))
        last = min(samples.size, max(first + HOP_LENGTH, int(round(window.end * SAMPLE_RATE))))
        clips.append(samples[first:last])
        text = " " + " ".join(window.words)
        texts.append(text)
        token_lists.append(tokenizer.encode(text)[:MAX_TEXT_TOKENS])
    encoded = engine._encode(clips, CONTEXT_S)  # (batch, 1500, d_model), the engine's own front-end
    aligned = engine.model.align(ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded)),
                                 tokenizer.sot_sequence("en"), token_lists,
                                 [max(1, clip.size // HOP_LENGTH) for clip in clips],
                                 median_filter_width=MEDIAN_FILTER_WIDTH)
    results = []
    for window, clip, text, tokens, result in zip(windows, clips, texts, token_lists, aligned):
        start = max(0, int(round(window.start * SAMPLE_RATE))) / SAMPLE_RATE
        end = start + clip.size / SAMPLE_RATE
        timed = timed_words(tokenizer, tokens, result.alignments, result.text_token_probs, start, end)
        pieces = [(word.text, word.start, word.end, word.probability) for word in timed]
        results.append(_transcript_words(window.words, text, pieces, start, end, lag_s))
    return results


def _transcript_words(words: tuple[str, ...], text: str, pieces: list[tuple[str, float, float, float]],
                      start: float, end: float, lag_s: float) -> list[Word]:
    """Maps aligned pieces (Whisper's words, whose texts concatenate to `text`) onto the transcript's words
    by character position; words the tokens did not reach (a text truncated at MAX_TEXT_TOKENS) get the end
    of the last aligned word, zero length and confidence 0."""
    spans, position = [], 1  # text starts with one space
    for word in words:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    piece_spans, position = [], 0
    scale = len(text) / max(1, sum(len(piece[0]) for piece in pieces))  # 1.0 unless decoding altered text
    for piece in pieces:
        length = len(piece[0]) * scale
        piece_spans.append((position, position + length))
        position += length
    out: list[Word] = []
    previous_end = start
    for word_text, (first_char, last_char) in zip(words, spans):
        covering = [piece for piece, (a, b) in zip(pieces, piece_spans) if a < last_char and b > first_char
                    and piece[0].strip()]
        if covering:
            word_start = min(piece[1] for piece in covering) - lag_s
            word_end = max(piece[2] for piece in covering) - lag_s
            confidence = float(np.mean([piece[3] for piece in covering]))
        else:
            word_start = word_end = previous_end
            confidence = 0.0
        word_start = min(max(word_start, previous_end, start), end)
        word_end = min(max(word_end, word_start), end)
        out.append(Word(round(word_start, 3), round(word_end, 3), word_text, min(1.0, max(0.0, confidence))))
        previous_end = word_end
    return out


def unlag(word: Word, lag_s: float = ATTENTION_LAG_S) -> Word:
    """A word timed by the engine's transcription (same cross-attention DTW) moved earlier by the lag."""
    start = max(0.0, word.start - lag_s)
    return Word(round(start, 3), round(max(start, word.end - lag_s), 3), word.text.strip(), word.confidence)
