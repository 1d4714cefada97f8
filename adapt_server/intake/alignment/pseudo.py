"""Pseudo-labels for untranscribed audio: recognized utterances, low-confidence ones dropped."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from adapt_server.engines.forced_alignment import unlag
from adapt_server.engines.options import DecodeOptions
from adapt_server.errors import InvalidArgument
from adapt_server.intake.alignment.pauses import snap_to_pauses
from adapt_server.intake.alignment.result import AlignmentResult
from adapt_server.intake.alignment.transcript import (
    DEFAULT_PAUSE_S,
    _checked_samples,
    cut_utterances,
    detected_pauses,
)
from adapt_server.spans import SpeakerTurn

PSEUDO_LABEL_OPTIONS = DecodeOptions()  # beam search with temperature fallback: the best text the model gives


def pseudo_label(samples: np.ndarray, engine, *, min_confidence: float, max_utterance_s: float = 30.0,
                 pause_s: float | None = DEFAULT_PAUSE_S,
                 turns: Sequence[SpeakerTurn] | None = None) -> AlignmentResult:
    """Transcribes `samples` (float32 (n,), 16 kHz) with `engine` (a WhisperEngine) into utterances cut at
    pauses (at most max_utterance_s), and keeps those whose mean word confidence is >= min_confidence (0..1).

    The result is marked pseudo_labelled; `score` is the mean confidence of all recognized words (0 when
    nothing was recognized); `dropped_utterances` counts the utterances left out.
    """
    samples = _checked_samples(samples)
    if isinstance(min_confidence, bool) or not isinstance(min_confidence, (int, float)) \
            or not 0.0 <= min_confidence <= 1.0:
        raise InvalidArgument(f"min_confidence must be a probability between 0 and 1; got {min_confidence!r}")
    transcription = engine.transcribe(samples, PSEUDO_LABEL_OPTIONS)
    words = snap_to_pauses([unlag(word) for word in transcription.words], detected_pauses(samples))
    utterances = cut_utterances(words, max_utterance_s, pause_s, turns, pseudo_labelled=True)
    kept = [utterance for utterance in utterances if utterance.confidence >= min_confidence]
    confidences = [word.confidence for word in words if word.confidence is not None]
    return AlignmentResult(words=tuple(word for utterance in kept for word in utterance.words),
                           utterances=tuple(kept), score=float(np.mean(confidences)) if confidences else 0.0,
                           pseudo_labelled=True, dropped_utterances=len(utterances) - len(kept),
                           recognized_text=transcription.text)

