"""Word error rate for test assertions: jiwer after Whisper's basic text normalizer (lowercase, no punctuation)."""
from __future__ import annotations

import jiwer


def normalize(text: str) -> str:
    from transformers.models.whisper.english_normalizer import BasicTextNormalizer
    return BasicTextNormalizer()(text)


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalize(reference), normalize(hypothesis))
