"""What an engine returns: transcribed segments with words, detected non-speech and timing (frozen)."""
from __future__ import annotations

import math
from dataclasses import dataclass

from adapt_server.spans import Word


@dataclass(frozen=True)
class Segment:
    """A stretch of recognized speech, `start`..`end` seconds from the start of the audio.

    The decoding scores (avg_logprob, no_speech_prob, compression_ratio, temperature) are those of the
    decoding window the segment came from (one window holds one or more segments).
    """

    start: float  # seconds from the start of the audio
    end: float  # seconds, >= start
    text: str  # the recognized text, as Whisper writes it (leading space stripped)
    words: tuple[Word, ...]  # words with times (seconds, inside start..end) and confidences; () when word
    # timestamps were not requested
    avg_logprob: float  # mean log-probability (nats) per generated token of the window's decoding
    no_speech_prob: float  # probability (0..1) of the <|nospeech|> token at the window's first step
    compression_ratio: float  # zlib compression ratio of the window's text (high: repetition loop)
    temperature: float  # sampling temperature of the decoding that was kept (0: beam search)
    confidence: float  # 0..1: mean word probability, or exp(avg_logprob) without words

    def __post_init__(self) -> None:
        if not 0.0 <= self.start <= self.end:
            raise ValueError(f"Segment times must satisfy 0 <= start <= end; got {self.start}..{self.end} s")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"Segment.confidence must be in [0, 1]; got {self.confidence}")


@dataclass(frozen=True)
class Transcription:
    """The transcript of one audio input."""

    segments: tuple[Segment, ...]  # in time order; () when no speech was found
    text: str  # the segments' texts joined with single spaces
    duration_s: float  # seconds of audio given
    non_speech: tuple[tuple[float, float], ...]  # (start, end) seconds of the regions judged not speech
    # (by the voice activity detector, or windows the model judged silent), in time order
    processing_s: float  # wall-clock seconds spent (for a batch: its wall time shared by audio duration)
    model_id: str  # the engine's model id
    compute_type: str  # the CTranslate2 compute type actually used, e.g. "int8_float32"
    language: str = ""  # language code transcribed: the one asked for, or the one the model detected; "" unknown

    @property
    def realtime_factor(self) -> float:
        """processing_s / duration_s (below 1: faster than real time); 0.0 for empty audio."""
        return self.processing_s / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word of every segment, in time order."""
        return tuple(word for segment in self.segments for word in segment.words)


def segment_confidence(words: tuple[Word, ...], avg_logprob: float) -> float:
    """Mean word probability when there are words, else exp(avg_logprob); in [0, 1]."""
    probabilities = [word.confidence for word in words if word.confidence is not None]
    value = sum(probabilities) / len(probabilities) if probabilities else math.exp(min(0.0, avg_logprob))
    return min(1.0, max(0.0, value))
