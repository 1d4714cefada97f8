"""Shared fixtures of the voices tests: synthetic talents (stock voices) and whisper tiny.en."""
from __future__ import annotations

import pytest

from adapt_server.audio.encode import resample
from adapt_server.models.bundled import bundled_model_path
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.tts import catalog


@pytest.fixture(scope="session")
def whisper() -> WhisperEngine:
    return WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")


def speak16k(voice_id: str, text: str):
    """float32 (n,) 16-kHz speech of `text` by stock voice `voice_id`."""
    voice = catalog.load_stock_voice(voice_id)
    return resample(voice.synthesize(text), voice.info.sample_rate, 16000)
