"""The engine interface: what every recognizer family implements, whatever runs it underneath.

An engine is a loaded model that turns 16 kHz mono float32 audio into a `Transcription` (segments with
words, detected non-speech, timing). Callers (speech, evaluation, intake) depend on these protocols only,
never on a family's class, so a new family is one module of `engines/` plus its registration.

Implementations: `engines/whisper.py` (CTranslate2 Whisper), `engines/pocketsphinx_engine.py`, and the
Hugging Face transformers backend (`engines/transformers/`).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from adapt_server.engines.inputs import Cancel
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.results import Transcription
from adapt_server.spans import Word


@dataclass(frozen=True)
class EngineInfo:
    """What a loaded engine is and can do (reported by the API, used to pick code paths)."""

    model_id: str  # the catalogue id, e.g. "whisper-tiny.en", "qwen3-asr", "ft:qwen3-asr:abc123"
    family: str  # "whisper" | "qwen3_asr" | "voxtral" | "voxtral_realtime" | "cohere_asr" | "pocketsphinx"
    backend: str  # "ctranslate2" | "transformers" | "pocketsphinx"
    device: str  # "cpu" | "cuda"
    dtype: str  # what actually runs, e.g. "int8_float32" (CTranslate2), "float32" / "bfloat16" (torch)
    languages: tuple[str, ...] = ()  # language codes the model transcribes; () when it does not say
    word_timestamps: bool = False  # the engine times words itself (else a WordAligner is needed)
    native_streaming: bool = False  # the engine implements StreamingRecognizer (incremental decoding)


@runtime_checkable
class Recognizer(Protocol):
    """A loaded speech recognizer. Thread-safe: one instance serves concurrent requests."""

    @property
    def info(self) -> EngineInfo: ...

    def transcribe(self, audio: np.ndarray, options: DecodeOptions = ..., *, cancel: Cancel = None) -> Transcription:
        """float32 mono (n_samples,) at 16 kHz, any length -> its Transcription. `cancel` (optional): a token
        (engines/inputs.py `Cancel`) checked between windows/batches; when it fires the call raises
        DecodeCancelled (status CANCELLED) and releases what it held."""
        ...

    def transcribe_batch(self, audios: Sequence[np.ndarray], options: DecodeOptions = ...,
                         batch_size: int = ..., *, cancel: Cancel = None) -> list[Transcription]:
        """Many clips decoded together in batches; item i's result does not depend on the other items.
        `cancel` as for `transcribe`."""
        ...

    def warmup(self) -> float:
        """Runs the model once on a short input so the first request pays no compilation; seconds spent."""
        ...


@dataclass(frozen=True)
class AlignmentWindow:
    """Known words spoken inside `start`..`end` seconds of a recording (end - start <= 30 s)."""

    start: float  # seconds
    end: float  # seconds
    words: tuple[str, ...]  # transcript words as written (whitespace-separated tokens)


@runtime_checkable
class WordAligner(Protocol):
    """Forced alignment: times for known words (Whisper's cross-attention, a CTC/token-classification
    aligner such as Qwen3-ForcedAligner, ...)."""

    def align_words(self, samples: np.ndarray, windows: Sequence[AlignmentWindow]) -> list[list[Word]]:
        """samples: float32 (n,) at 16 kHz. One list per window with one Word per window word, in order,
        with times on the recording's timeline (seconds) inside the window, and confidences 0..1."""
        ...


@runtime_checkable
class IncrementalDecoder(Protocol):
    """One live stream of a natively streaming model: audio in as it arrives, text out as it is decided."""

    def push(self, samples: np.ndarray) -> str:
        """Appends float32 (n,) 16 kHz audio; returns the text newly decided by it ("" when none)."""
        ...

    def finish(self) -> str:
        """Flushes the stream (no more audio); returns the remaining text."""
        ...


@runtime_checkable
class StreamingRecognizer(Recognizer, Protocol):
    """A recognizer that also decodes incrementally (e.g. Voxtral Realtime); others stream through the
    speech layer's re-decoding policy (LocalAgreement) over `transcribe`."""

    def open_stream(self, options: DecodeOptions) -> IncrementalDecoder: ...
