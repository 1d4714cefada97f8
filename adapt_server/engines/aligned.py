"""Word times for recognizers that do not time words themselves (the transformers families): a `Recognizer`
plus a `WordAligner` behave as one recognizer that does.

`with_word_times(recognizer, aligner)` wraps a recognizer whose `EngineInfo.word_timestamps` is False. When the
options ask for word times (`DecodeOptions.word_timestamps`, the default), every segment's text is force-aligned
to the segment's audio (a segment is one decoding window: at most 30 s) by the aligner - the family's own
(Qwen3-ForcedAligner for Qwen3-ASR) or the project's Whisper forced aligner (`WhisperEngine.align_words`) - and
the segment gets one Word per whitespace-separated word of its text, with times on the input's timeline inside
the segment. The wrapper is also the aligner (`align_words`), so the intake's `align` step takes any family,
and it keeps `open_stream` for natively streaming recognizers (Voxtral Realtime).

Pure: values in, values out; thread-safe when the two parts are.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from adapt_server.engines.inputs import Cancel, check_cancelled
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.protocol import AlignmentWindow, EngineInfo, Recognizer, WordAligner
from adapt_server.engines.results import Segment, Transcription
from adapt_server.spans import Word

MAX_ALIGNED_WINDOW_S = 30.0  # seconds an aligner times at once
SAMPLE_RATE = 16000  # Hz of every engine's input


class AlignedRecognizer:
    """`recognizer` with word times from `aligner` (see the module docstring)."""

    def __init__(self, recognizer: Recognizer, aligner: WordAligner):
        self.recognizer = recognizer
        self.aligner = aligner

    @property
    def info(self) -> EngineInfo:
        return replace(self.recognizer.info, word_timestamps=True)

    def warmup(self) -> float:
        return self.recognizer.warmup()

    def transcribe(self, audio: np.ndarray, options: DecodeOptions = DecodeOptions(), *,
                   cancel: Cancel = None) -> Transcription:
        return self.transcribe_batch([audio], options, cancel=cancel)[0]

    def transcribe_batch(self, audios: Sequence[np.ndarray], options: DecodeOptions = DecodeOptions(),
                         batch_size: int = 8, *, cancel: Cancel = None) -> list[Transcription]:
        results = self.recognizer.transcribe_batch(audios, options, batch_size=batch_size, cancel=cancel)
        if not options.word_timestamps:
            return results
        check_cancelled(cancel)
        return [self._timed(np.asarray(audio, dtype=np.float32), result) for audio, result in zip(audios, results)]

    def align_words(self, samples: np.ndarray, windows: Sequence[AlignmentWindow]) -> list[list[Word]]:
        return self.aligner.align_words(samples, windows)

    def _timed(self, audio: np.ndarray, result: Transcription) -> Transcription:
        todo = [(index, segment) for index, segment in enumerate(result.segments)
                if segment.text.split() and not segment.words]
        if not todo:
            return result
        duration = audio.size / SAMPLE_RATE
        windows = [AlignmentWindow(start=segment.start,
                                   end=min(segment.end, duration, segment.start + MAX_ALIGNED_WINDOW_S),
                                   words=tuple(segment.text.split())) for _, segment in todo]
        timed = self.aligner.align_words(audio, windows)
        segments = list(result.segments)
        for (index, segment), words in zip(todo, timed):
            segments[index] = _with_words(segment, words)
        return replace(result, segments=tuple(segments))


class AlignedStreamingRecognizer(AlignedRecognizer):
    """An AlignedRecognizer over a natively streaming recognizer: `open_stream` is the recognizer's."""

    def open_stream(self, options: DecodeOptions):
        return self.recognizer.open_stream(options)


def with_word_times(recognizer: Recognizer, aligner: WordAligner | None) -> Recognizer:
    """`recognizer` itself when it times words (or no aligner is given), else wrapped with `aligner`."""
    if aligner is None or recognizer.info.word_timestamps:
        return recognizer
    if callable(getattr(recognizer, "open_stream", None)):
        return AlignedStreamingRecognizer(recognizer, aligner)
    return AlignedRecognizer(recognizer, aligner)


def _with_words(segment: Segment, words: list[Word]) -> Segment:
    """The segment with its words, their times clipped into the segment."""
    clipped = tuple(Word(start=min(max(word.start, segment.start), segment.end),
                         end=min(max(word.end, segment.start), segment.end), text=word.text,
                         confidence=word.confidence) for word in words)
    return replace(segment, words=clipped)
