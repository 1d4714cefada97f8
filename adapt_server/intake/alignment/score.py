"""How well a transcript matches what a recognizer heard in the same audio (pure)."""
from __future__ import annotations

import jiwer

from adapt_server.scoring.text import WHISPER_ENGLISH, Normalizer

_NORMALIZER = Normalizer(WHISPER_ENGLISH)  # "six zero five" and "605" compare equal


def match_score(transcript: str, recognized: str) -> float:
    """1 - word error rate of `recognized` against `transcript` (both Whisper-English normalized), clipped to
    [0, 1]. 1.0 when both are empty; 0.0 when exactly one of them is."""
    reference, hypothesis = _NORMALIZER(transcript), _NORMALIZER(recognized)
    if not reference.split() or not hypothesis.split():
        return 1.0 if not reference.split() and not hypothesis.split() else 0.0
    return float(min(1.0, max(0.0, 1.0 - jiwer.wer(reference, hypothesis))))
