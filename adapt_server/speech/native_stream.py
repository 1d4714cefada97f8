"""Streaming through a natively streaming model (Voxtral Realtime): its `IncrementalDecoder` decides text as the
audio arrives, so a stream is never decoded again (no LocalAgreement).

`NativeStreamingRecognizer` has the interface of `streaming.StreamingRecognizer` (`accept(samples)` and `finish()`
return `StreamResult`s), so `StreamSession` drives either. One incremental decoder runs for the whole stream (the
model handles silence itself); the energy endpointer splits its text into utterances: every push that decides new
text gives an interim (the decided text is stable: `stable_text == text`); `endpoint_silence_s` of silence after
speech ends the utterance with a final holding the text decided since the previous final; the end of the stream
flushes the decoder into the last final. Finals get word times from the recognizer's aligner when it has one
(`align_words`) and the utterance is at most 30 s, else no words.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.engines.protocol import AlignmentWindow, IncrementalDecoder
from adapt_server.speech.endpoint import EnergyEndpointer
from adapt_server.speech.streaming import STEP_SAMPLES, AudioBuffer, StreamingPolicy, StreamResult

MAX_ALIGNED_S = 30.0  # seconds of utterance audio an aligner times at once


class NativeStreamingRecognizer:
    """decoder: the stream's IncrementalDecoder (opened once); align: `align_words` of the engine or None;
    language: reported with every result."""

    def __init__(self, decoder: IncrementalDecoder, policy: StreamingPolicy, language: str = "",
                 align: Callable | None = None):
        self._decoder = decoder
        self.policy = policy
        self.language = language
        self._align = align
        self._endpointer = EnergyEndpointer()
        self._received = 0  # samples received
        self._text = ""  # decided text of the current utterance
        self._audio = AudioBuffer()  # the current utterance's audio (for word times)
        self._start_s = 0.0  # stream time where the current utterance's audio starts
        self._index = 0

    @property
    def received_s(self) -> float:
        return self._received / TARGET_SAMPLE_RATE

    def accept(self, samples: np.ndarray) -> list[StreamResult]:
        """samples: float32 (n,) at 16 kHz. Feeds the decoder, then walks the audio for endpoints."""
        results = []
        new = self._decoder.push(samples) if samples.size else ""
        self._text += new
        for start in range(0, samples.size, STEP_SAMPLES):
            piece = samples[start:start + STEP_SAMPLES]
            self._received += piece.size
            self._audio.append(piece)
            self._endpointer.accept(piece)
            state = self._endpointer.state
            if self._endpointer.in_utterance and state.trailing_silence_s >= self.policy.endpoint_silence_s:
                final = self._final()
                if final is not None:
                    results.append(final)
        if new.strip() and self.policy.interim_results and self._text.strip():
            text = self._text.strip()
            results.append(StreamResult(False, text, text, (), self._start_s, self.received_s, self._index,
                                        self.received_s, 0.0, self.language))
        return results

    def finish(self) -> list[StreamResult]:
        """End of the stream: the decoder's remaining text joins the last utterance's final."""
        self._text += self._decoder.finish()
        final = self._final()
        return [final] if final is not None else []

    def _final(self) -> StreamResult | None:
        text = " ".join(self._text.split())
        audio = self._audio.array()
        start, end = self._start_s, self._start_s + audio.size / TARGET_SAMPLE_RATE
        self._text, self._audio, self._start_s = "", AudioBuffer(), end
        self._endpointer.reset_utterance()
        if not text:
            return None
        words = self._words(audio, text, start)
        result = StreamResult(True, text, text, words, start, end, self._index, self.received_s,
                              _mean_confidence(words), self.language)
        self._index += 1
        return result

    def _words(self, audio: np.ndarray, text: str, offset: float) -> tuple:
        duration = audio.size / TARGET_SAMPLE_RATE
        if self._align is None or not 0 < duration <= MAX_ALIGNED_S:
            return ()
        words = self._align(audio, [AlignmentWindow(0.0, duration, tuple(text.split()))])[0]
        return tuple(word.with_offset(offset) for word in words)


def _mean_confidence(words: tuple) -> float:
    values = [word.confidence for word in words if word.confidence is not None]
    return sum(values) / len(values) if values else 0.0
