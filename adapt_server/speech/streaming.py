"""Streaming recognition: interim results that stabilise, and finals on endpointing.

Policy (LocalAgreement-2, as in whisper_streaming): every `interim_every_s` of new audio the whole current
utterance buffer is decoded again; the words on which the last two hypotheses agree (longest common prefix)
are *stable* and never change after. When the endpointer sees `endpoint_silence_s` of silence after speech,
the utterance is decoded once more with the final options (word times) and emitted as a final; the buffer
then restarts after it. An utterance longer than `max_utterance_s` is finalised at that point.

The recognizer is synchronous and engine-agnostic (`decode(audio, final) -> Hypothesis`): the gRPC layer
runs it in a worker thread per stream, and the engine (shared by all streams) serialises model calls.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.spans import Word
from adapt_server.speech.endpoint import EnergyEndpointer

LEADING_KEEP_S = 0.3        # silence kept before speech in the buffer
TRAILING_KEEP_S = 0.2       # silence kept after speech when finalising


@dataclass(frozen=True)
class Hypothesis:
    text: str
    words: tuple[Word, ...]   # times relative to the decoded buffer
    confidence: float = 0.0


@dataclass(frozen=True)
class StreamResult:
    is_final: bool
    text: str
    stable_text: str
    words: tuple[Word, ...]   # finals: times from the start of the stream (seconds)
    start: float              # utterance start, seconds from the start of the stream
    end: float
    utterance_index: int
    audio_received_s: float   # stream time when produced
    confidence: float = 0.0


@dataclass(frozen=True)
class StreamingPolicy:
    endpoint_silence_s: float = 0.5   # trailing silence that ends an utterance
    interim_every_s: float = 0.6      # audio between two interim decodes
    max_utterance_s: float = 25.0     # force a final (Whisper's window is 30 s)
    interim_results: bool = True


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def agreed_prefix(previous: list[str], current: list[str]) -> int:
    """Length of the longest common prefix of two word lists (case and punctuation ignored)."""
    n = 0
    for a, b in zip(previous, current):
        if _norm(a) != _norm(b):
            break
        n += 1
    return n


class StreamingRecognizer:
    def __init__(self, decode: Callable[[np.ndarray, bool], Hypothesis], policy: StreamingPolicy = StreamingPolicy()):
        self._decode = decode
        self.policy = policy
        self._endpointer = EnergyEndpointer()
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start_s = 0.0          # stream time of buffer[0]
        self._received = 0                  # samples received in total
        self._since_interim = 0             # samples since the last interim decode
        self._previous: list[str] = []
        self._stable: list[str] = []
        self._utterance_index = 0

    @property
    def received_s(self) -> float:
        return self._received / TARGET_SAMPLE_RATE

    def accept(self, samples: np.ndarray) -> list[StreamResult]:
        """samples: float32 (n,) at 16 kHz. Returns the results this audio produced (maybe none)."""
        if samples.size == 0:
            return []
        self._buffer = np.concatenate([self._buffer, samples])
        self._received += samples.size
        self._since_interim += samples.size
        self._endpointer.accept(samples)
        if not self._endpointer.in_utterance:
            self._drop_leading_silence()
            return []
        state = self._endpointer.state
        if state.trailing_silence_s >= self.policy.endpoint_silence_s:
            return [self._finalise(state.last_speech_end_s)]
        if self._buffer.size / TARGET_SAMPLE_RATE >= self.policy.max_utterance_s:
            return [self._finalise(self.received_s)]
        if self.policy.interim_results and self._since_interim >= self.policy.interim_every_s * TARGET_SAMPLE_RATE:
            return [self._interim()]
        return []

    def finish(self) -> list[StreamResult]:
        """End of stream: the pending utterance, if any, becomes a final."""
        if self._endpointer.in_utterance:
            return [self._finalise(self._endpointer.state.last_speech_end_s)]
        return []

    def _drop_leading_silence(self) -> None:
        keep = int(LEADING_KEEP_S * TARGET_SAMPLE_RATE)
        if self._buffer.size > 2 * keep:
            cut = self._buffer.size - keep
            self._buffer = self._buffer[cut:]
            self._buffer_start_s += cut / TARGET_SAMPLE_RATE
            self._since_interim = 0

    def _interim(self) -> StreamResult:
        self._since_interim = 0
        hypothesis = self._decode(self._buffer, False)
        words = hypothesis.text.split()
        agreed = agreed_prefix(self._previous, words)
        if agreed > len(self._stable):
            self._stable = words[:agreed]
        self._previous = words
        stable = " ".join(self._stable)
        text = " ".join(self._stable + words[len(self._stable):])  # stable words never change once shown
        return StreamResult(False, text, stable, (), self._buffer_start_s, self.received_s, self._utterance_index,
                            self.received_s, hypothesis.confidence)

    def _finalise(self, speech_end_s: float) -> StreamResult:
        end_s = min(self.received_s, speech_end_s + TRAILING_KEEP_S)
        cut = max(0, int(round((end_s - self._buffer_start_s) * TARGET_SAMPLE_RATE)))
        audio, rest = self._buffer[:cut], self._buffer[cut:]
        hypothesis = self._decode(audio, True) if audio.size else Hypothesis("", ())
        offset = self._buffer_start_s
        words = tuple(w.with_offset(offset) for w in hypothesis.words)
        result = StreamResult(True, hypothesis.text.strip(), hypothesis.text.strip(), words, offset,
                              offset + audio.size / TARGET_SAMPLE_RATE, self._utterance_index, self.received_s,
                              hypothesis.confidence)
        self._utterance_index += 1
        self._buffer, self._buffer_start_s = rest, end_s
        self._since_interim, self._previous, self._stable = 0, [], []
        self._endpointer.reset_utterance()
        return result
