"""Forced alignment with Whisper's cross-attention, the pure half: mapping the aligned tokens' words back onto a
transcript's own words, and the attention lag every Whisper word time carries.

`WhisperEngine.align_words` (the `WordAligner` of engines/protocol.py) encodes each window once (Adapt's log-mel
front-end, padded to 30 s as the engine does), runs CTranslate2's `Whisper.align` over the known tokens
(teacher forcing) and turns the DTW path and token probabilities into word times (`word_timing.timed_words`);
`transcript_words` then moves the times earlier by ATTENTION_LAG_S and maps them onto the transcript's
whitespace-separated words by character position.
"""
from __future__ import annotations

import numpy as np

from adapt_server.spans import Word

# Whisper's cross-attention peaks lag the sound: DTW word starts and ends came out late by a median 96 ms
# (starts) / 109 ms (ends) against the exact word times of 4 generated calls (584 words, tiny.en int8); on
# real read speech (../shared/realspeech/align, pocketsphinx silver) the lag was 110 ms. The constant is the
# generated-call figure, so the benchmark on real speech is not tuned on itself (bench/alignment_bench.py
# re-measures it with --calibrate).
ATTENTION_LAG_S = 0.096
ALIGN_BATCH_SIZE = 8  # windows per encode/align call


def transcript_words(words: tuple[str, ...], text: str, pieces: list[tuple[str, float, float, float]],
                     start: float, end: float, lag_s: float = ATTENTION_LAG_S) -> list[Word]:
    """Maps aligned pieces (Whisper's words as (text, start, end, probability), whose texts concatenate to
    `text`) onto the transcript's words by character position; words the tokens did not reach (a text truncated
    at MAX_TEXT_TOKENS) get the end of the last aligned word, zero length and confidence 0. Times move earlier
    by lag_s and stay inside start..end, non-decreasing."""
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
    """A word timed by a Whisper transcription (the same cross-attention DTW) moved earlier by the lag."""
    start = max(0.0, word.start - lag_s)
    return Word(round(start, 3), round(max(start, word.end - lag_s), 3), word.text.strip(), word.confidence)
