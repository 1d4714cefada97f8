"""Pure checks on one window's decoding: repetition (compression ratio), confidence (average log-prob),
silence (no-speech probability), the temperature-fallback decision, and a last-resort repetition-loop cut.

The rules are openai/whisper's (as faster-whisper's `generate_with_fallback` applies them).
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

from adapt_server.engines.options import DecodeOptions

MIN_LOOP_REPEATS = 4  # a token n-gram repeated this many times in a row at the end is a repetition loop
MAX_LOOP_NGRAM = 12  # longest n-gram (tokens) searched for a loop


@dataclass(frozen=True)
class WindowDecoding:
    """One decoding of one window."""

    tokens: tuple[int, ...]  # generated token ids (text and timestamp tokens; no start sequence, no EOT)
    text: str  # decoded text of the text tokens
    avg_logprob: float  # cumulative log-probability / (generated tokens + 1), nats
    no_speech_prob: float  # probability of <|nospeech|> at the first step, 0..1
    temperature: float  # 0 for beam search
    full_context: bool  # True when the encoder saw a full 30-s window

    @property
    def compression_ratio(self) -> float:
        return compression_ratio(self.text)


def compression_ratio(text: str) -> float:
    """len(utf-8 bytes) / len(zlib-compressed bytes): ~1-2 for speech, > 2.4 for repetition loops; 0 if empty."""
    data = text.strip().encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def average_logprob(score: float, n_tokens: int, length_penalty: float) -> float:
    """CTranslate2's `scores[0]` (cumulative log-prob / n_tokens ** length_penalty) -> log-prob per token,
    counting the end token (as faster-whisper)."""
    return score * (n_tokens ** length_penalty) / (n_tokens + 1)


def is_silence(decoding: WindowDecoding, options: DecodeOptions) -> bool:
    """The window holds no speech: <|nospeech|> is likely and the text is not confidently decoded."""
    if options.no_speech_threshold is None or decoding.no_speech_prob <= options.no_speech_threshold:
        return False
    return options.log_prob_threshold is None or decoding.avg_logprob < options.log_prob_threshold


def too_repetitive(decoding: WindowDecoding, options: DecodeOptions) -> bool:
    threshold = options.compression_ratio_threshold
    return threshold is not None and decoding.compression_ratio > threshold


def needs_fallback(decoding: WindowDecoding, options: DecodeOptions) -> bool:
    """True when the decoding should be redone (repetitive or improbable) and is not just silence."""
    improbable = options.log_prob_threshold is not None and decoding.avg_logprob < options.log_prob_threshold
    if not (too_repetitive(decoding, options) or improbable):
        return False
    return not is_silence(decoding, options)


def pick_final(candidates: list[WindowDecoding], options: DecodeOptions) -> WindowDecoding:
    """When every temperature failed: the most probable candidate that is not repetitive (any, if all are)."""
    usable = [candidate for candidate in candidates if not too_repetitive(candidate, options)]
    return max(usable or candidates, key=lambda candidate: candidate.avg_logprob)


def cut_repetition_loop(tokens: list[int], min_repeats: int = MIN_LOOP_REPEATS,
                        max_ngram: int = MAX_LOOP_NGRAM) -> list[int]:
    """Keeps one copy of an n-gram that repeats >= min_repeats times in a row at the end of `tokens` (a
    decoder stuck in a loop until max_length); other sequences come back unchanged."""
    for size in range(1, max_ngram + 1):
        if len(tokens) < size * min_repeats:
            break
        tail = tokens[-size:]
        repeats = 1
        while (repeats + 1) * size <= len(tokens) and tokens[-(repeats + 1) * size:-repeats * size] == tail:
            repeats += 1
        if repeats >= min_repeats:
            return tokens[:len(tokens) - (repeats - 1) * size]
    return tokens
