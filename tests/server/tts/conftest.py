"""Shared fixtures of the TTS tests: the stock voices (models load once per session) and whisper tiny.en."""
from __future__ import annotations

import jiwer
import numpy as np
import pytest

from adapt_server.audio.encode import resample
from adapt_server.models.bundled import bundled_model_path
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.scoring.text import Normalizer
from adapt_server.tts import catalog


@pytest.fixture(scope="session")
def kumo():
    return catalog.load_stock_voice("kokoro-jm_kumo")


@pytest.fixture(scope="session")
def joe():
    return catalog.load_stock_voice("piper-joe")


@pytest.fixture(scope="session")
def whisper() -> WhisperEngine:
    return WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")


def word_error_rate(engine: WhisperEngine, samples: np.ndarray, sample_rate: int, reference: str) -> float:
    """WER (Whisper English normalization) of tiny.en's transcript of synthesized `samples`."""
    hypothesis = engine.transcribe(resample(samples, sample_rate, 16000)).text
    normalize = Normalizer()
    return jiwer.wer(normalize(reference), normalize(hypothesis) or "<empty>")
