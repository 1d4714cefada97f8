"""Streaming recognition: interim results that stabilise, and finals on endpointing.

Policy (LocalAgreement-2, as in whisper_streaming): every `interim_every_s` of new audio the whole current
utterance buffer is decoded again; the words on which the last two hypotheses agree (longest common prefix)
are *stable* and never change after. When the endpointer sees `endpoint_silence_s` of silence after speech,
the utterance is decoded once more with the final options (word times) and emitted as a final; the buffer
then restarts after it. An utterance longer than `max_utterance_s` is finalised at that point.

The recognizer is synchronous and engine-agnostic (`decode(audio, final) -> Hypothesis | None`): the gRPC
layer runs it in a worker thread per stream, and the engine (shared by all streams) serialises model calls.
`decode` may return None for an interim (the engine is busy with other streams): interims are best-effort,
finals are not, so under load the cores go to finals first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.spans import Word
from adapt_server.speech.endpoint import FRAME_S, EnergyEndpointer

LEADING_KEEP_S = 0.3        # silence kept before speech in the buffer
TRAILING_KEEP_S = 0.2       # silence kept after speech when finalising
STEP_S = FRAME_S            # audio is walked in pieces of this size (one endpointer frame)
STEP_SAMPLES = int(STEP_S * TARGET_SAMPLE_RATE)


@dataclass(frozen=True)
class Hypothesis:
    text: str
    words: tuple[Word, ...]   # times relative to the decoded buffer
    confidence: float = 0.0
    language: str = ""        # language transcribed (asked for or detected); "" unknown


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
    language: str = ""        # language transcribed (asked for or detected); "" unknown


@dataclass(frozen=True)
class StreamingPolicy:
    endpoint_silence_s: float = 0.5   # trailing silence that ends an utterance
    interim_every_s: float = 0.6      # audio between two interim decodes
    max_utterance_s: float = 25.0     # force a final (Whisper's window is 30 s)
    interim_results: bool = True


class AudioBuffer:
    """Appends cheaply (a list of pieces), materializes on demand: float32 (n,) at 16 kHz."""

    def __init__(self, samples: np.ndarray | None = None):
        self._pieces = [samples] if samples is not None and samples.size else []
        self.size = sum(p.size for p in self._pieces)

    def append(self, piece: np.ndarray) -> None:
        self._pieces.append(piece)
        self.size += piece.size

    def array(self) -> np.ndarray:
        if len(self._pieces) != 1:
            self._pieces = [np.concatenate(self._pieces) if self._pieces else np.zeros(0, np.float32)]
        return self._pieces[0]


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
    def __init__(self, decode: Callable[[np.ndarray, bool], Hypothesis | None], policy: StreamingPolicy = StreamingPolicy()):
        self._decode = decode
        self.policy = policy
        self._endpointer = EnergyEndpointer()
        self._buffer = AudioBuffer()
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
        """samples: float32 (n,) at 16 kHz, any length. Returns the results this audio produced (maybe none).

        Audio that piled up while a decode ran arrives as one long array: it is walked in STEP_S pieces so
        every endpoint inside it is found; an interim decode runs at most once, on what is left at the end.
        """
        results = []
        for start in range(0, samples.size, STEP_SAMPLES):
            final = self._advance(samples[start:start + STEP_SAMPLES])
            if final is not None:
                results.append(final)
        if (self.policy.interim_results and self._endpointer.in_utterance
                and self._since_interim >= self.policy.interim_every_s * TARGET_SAMPLE_RATE):
            interim = self._interim()
            if interim is not None:
                results.append(interim)
        return results

    def _advance(self, piece: np.ndarray) -> StreamResult | None:
        """Takes in one piece of audio; returns a final when this piece ends an utterance."""
        self._buffer.append(piece)
        self._received += piece.size
        self._since_interim += piece.size
        self._endpointer.accept(piece)
        if not self._endpointer.in_utterance:
            self._drop_leading_silence()
            return None
        state = self._endpointer.state
        if state.trailing_silence_s >= self.policy.endpoint_silence_s:
            return self._finalise(state.last_speech_end_s)
        if self._buffer.size / TARGET_SAMPLE_RATE >= self.policy.max_utterance_s:
            return self._finalise(self.received_s)
        return None

    def finish(self) -> list[StreamResult]:
        """End of stream: the pending utterance, if any, becomes a final."""
        if self._endpointer.in_utterance:
            final = self._finalise(self._endpointer.state.last_speech_end_s)
            return [final] if final is not None else []
        return []

    def _drop_leading_silence(self) -> None:
        keep = int(LEADING_KEEP_S * TARGET_SAMPLE_RATE)
        if self._buffer.size > 2 * keep:
            cut = self._buffer.size - keep
            self._buffer = AudioBuffer(self._buffer.array()[cut:])
            self._buffer_start_s += cut / TARGET_SAMPLE_RATE
            self._since_interim = 0

    def _interim(self) -> StreamResult | None:
        """None when the decoder declined (busy with other streams); the next audio tries again."""
        hypothesis = self._decode(self._buffer.array(), False)
        if hypothesis is None:
            return None
        self._since_interim = 0
        words = hypothesis.text.split()
        agreed = agreed_prefix(self._previous, words)
        if agreed > len(self._stable):
            self._stable = words[:agreed]
        self._previous = words
        stable = " ".join(self._stable)
        text = " ".join(self._stable + words[len(self._stable):])  # stable words never change once shown
        return StreamResult(False, text, stable, (), self._buffer_start_s, self.received_s, self._utterance_index,
                            self.received_s, hypothesis.confidence, hypothesis.language)

    def _finalise(self, speech_end_s: float) -> StreamResult | None:
        """Decodes the utterance up to its end of speech; None when it held no words (a cough, a click)."""
        end_s = min(self.received_s, speech_end_s + TRAILING_KEEP_S)
        cut = max(0, int(round((end_s - self._buffer_start_s) * TARGET_SAMPLE_RATE)))
        buffered = self._buffer.array()
        audio, rest = buffered[:cut], buffered[cut:]
        hypothesis = self._decode(audio, True) if audio.size else Hypothesis("", ())
        offset = self._buffer_start_s
        words = tuple(w.with_offset(offset) for w in hypothesis.words)
        text = hypothesis.text.strip()
        result = StreamResult(True, text, text, words, offset, offset + audio.size / TARGET_SAMPLE_RATE,
                              self._utterance_index, self.received_s, hypothesis.confidence,
                              hypothesis.language) if text else None
        self._utterance_index += 1 if text else 0
        self._buffer, self._buffer_start_s = AudioBuffer(rest), end_s
        self._since_interim, self._previous, self._stable = 0, [], []
        self._endpointer.reset_utterance()
        return result
