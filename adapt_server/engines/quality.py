"""Pure checks on one window's decoding: repetition (compression ratio, and a loop spoken faster than speech),
confidence (average log-prob), silence (no-speech probability), the temperature-fallback decision, and a
last-resort repetition-loop cut.

The rules are openai/whisper's (as faster-whisper's `generate_with_fallback` applies them), plus one of Adapt's:
a short loop. zlib's ratio misses loops in short windows (its header outweighs the repeats: "5, 5, 5, 5, 5, 5,
5, 5, 5, 5", a fine-tuned tiny.en's decoding of the 1.6-s "five five", scores 2.15 < 2.4), so a decoding is
repetitive too when it holds a run of MIN_LOOP_REPEATS copies of one n-gram and generated more tokens per second
of detected speech than speech has (MAX_SPEECH_TOKENS_PER_SECOND): a run a speaker could have said, such as
"no, no, no, no", passes.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.engines.options import DecodeOptions

MIN_LOOP_REPEATS = 4  # copies in a row of one token n-gram that make a run a loop (cut to one copy as a last resort)
MAX_LOOP_NGRAM = 12  # longest n-gram (tokens) searched for a loop
MAX_SPEECH_TOKENS_PER_SECOND = 8.0  # generated tokens (timestamps included) per second of the window's detected
# speech (VAD regions, their padding included) above which a run of repeats is a loop. The bundled tiny.en's
# windows on ../shared/realspeech/asr, the shipped reference, its long-form windows and 14 generated calls (4
# domains, espeak and mixed voices): fastest speech 5.6 ("Jump the fence and hurry up the bank."); one base
# hallucination, "Have a new." three times in a 1.8-s window, 10.0 (three copies: not a run of MIN_LOOP_REPEATS);
# the looping "five five" above, 13.5


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


def too_repetitive(decoding: WindowDecoding, options: DecodeOptions, speech_s: float | None = None) -> bool:
    """The text compresses like a loop, or (when the window's detected speech, `speech_s` seconds, is known) it
    holds a run of repeats generated faster than speech. options.compression_ratio_threshold None turns both off."""
    threshold = options.compression_ratio_threshold
    if threshold is None:
        return False
    return decoding.compression_ratio > threshold or (speech_s is not None and is_fast_loop(decoding.tokens,
                                                                                            speech_s))


def is_fast_loop(tokens: tuple[int, ...] | list[int], speech_s: float) -> bool:
    """A run of >= MIN_LOOP_REPEATS copies of one n-gram in `tokens`, which number more than
    MAX_SPEECH_TOKENS_PER_SECOND per second of detected speech (`speech_s`)."""
    if len(tokens) <= MAX_SPEECH_TOKENS_PER_SECOND * max(speech_s, 0.0):
        return False
    return longest_run(list(tokens)).copies >= MIN_LOOP_REPEATS


def needs_fallback(decoding: WindowDecoding, options: DecodeOptions, speech_s: float | None = None) -> bool:
    """True when the decoding should be redone (repetitive or improbable) and is not just silence."""
    improbable = options.log_prob_threshold is not None and decoding.avg_logprob < options.log_prob_threshold
    if not (too_repetitive(decoding, options, speech_s) or improbable):
        return False
    return not is_silence(decoding, options)


def pick_final(candidates: list[WindowDecoding], options: DecodeOptions,
               speech_s: float | None = None) -> WindowDecoding:
    """When every temperature failed: the most probable candidate that is not repetitive (any, if all are)."""
    usable = [candidate for candidate in candidates if not too_repetitive(candidate, options, speech_s)]
    return max(usable or candidates, key=lambda candidate: candidate.avg_logprob)


@dataclass(frozen=True)
class Run:
    """`copies` consecutive copies of the n-gram tokens[start:start + size] (copies 1: no repeat)."""

    start: int
    size: int
    copies: int

    @property
    def end(self) -> int:
        return self.start + self.size * self.copies


def ngram_runs(ids: Sequence, max_ngram: int) -> list[Run]:
    """For each n in 1..max_ngram (at most len(ids) - 1), the run with the most consecutive copies of one n-gram
    of `ids` (token ids, or word ids), the earliest of equals; Run(0, n, 1) for an n that never repeats.

    Vectorized per n: positions i with ids[i] == ids[i + n] form stretches; a stretch of r positions from s holds
    (r + n) // n consecutive copies of the n-gram at s."""
    values = np.asarray(ids)
    runs = []
    for n in range(1, min(max_ngram, len(values) - 1) + 1):
        edges = np.diff(np.concatenate([[0], (values[n:] == values[:-n]).astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        if starts.size == 0:
            runs.append(Run(0, n, 1))
            continue
        copies = (stops - starts + n) // n
        best = int(np.argmax(copies))  # the first of the most
        runs.append(Run(int(starts[best]), n, int(copies[best])))
    return runs


def longest_run(tokens: list[int], max_ngram: int = MAX_LOOP_NGRAM) -> Run:
    """The run of repeats covering the most tokens (of equals, the shortest n-gram, then the earliest); Run(0, 0, 1)
    when nothing repeats."""
    best = Run(0, 0, 1)
    for run in ngram_runs(tokens, max_ngram):
        if run.copies > 1 and run.size * run.copies > best.size * best.copies:
            best = run
    return best


def cut_repetition_loop(tokens: list[int], min_repeats: int = MIN_LOOP_REPEATS,
                        max_ngram: int = MAX_LOOP_NGRAM) -> list[int]:
    """Keeps one copy of the longest run of an n-gram repeated >= min_repeats times in a row in `tokens` (a
    decoder stuck in a loop, usually until max_length); other sequences come back unchanged."""
    run = longest_run(tokens, max_ngram)
    if run.copies < min_repeats:
        return tokens
    return tokens[:run.start + run.size] + tokens[run.end:]
