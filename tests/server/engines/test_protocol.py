"""Every engine family satisfies the engine protocols (structural checks on loaded engines)."""
from __future__ import annotations

from adapt_server.engines.pocketsphinx_engine import PocketsphinxEngine
from adapt_server.engines.protocol import Recognizer
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path


def test_whisper_engine_is_a_recognizer():
    engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en")
    assert isinstance(engine, Recognizer)
    assert engine.info.family == "whisper" and engine.info.backend == "ctranslate2"
    assert engine.info.languages == ("en",) and engine.info.word_timestamps


def test_pocketsphinx_engine_is_a_recognizer():
    engine = PocketsphinxEngine()
    assert isinstance(engine, Recognizer)
    assert engine.info.family == "pocketsphinx"
