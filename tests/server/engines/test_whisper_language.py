"""Language in recognition on the CTranslate2 Whisper engine: "" detects it on multilingual models (whisper-base)
and is English on English-only ones (whisper-tiny.en); the language is returned in the Transcription."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models import whisper_base
from adapt_server.models.bundled import bundled_model_path

GREEDY = dict(beam_size=1, temperatures=(0.0,), word_timestamps=False)


@pytest.fixture(scope="module")
def sentence() -> np.ndarray:
    from scipy.signal import resample_poly

    from adapt_server.sampledata.espeak import EspeakVoice, synthesize
    clip = synthesize("Glue the sheet to the dark blue background.", EspeakVoice("en-us"))
    speech = resample_poly(clip.samples.astype(np.float32) / 32768, 320, 441).astype(np.float32)  # 22.05 -> 16 kHz
    return np.concatenate([np.zeros(4800, np.float32), speech, np.zeros(4800, np.float32)])


def test_english_only_models_answer_english(sentence):
    tiny = WhisperEngine(bundled_model_path(), "whisper-tiny.en")
    assert tiny.detect_language(sentence) == [("en", 1.0)]
    assert tiny.transcribe(sentence, DecodeOptions(language="", **GREEDY)).language == "en"
    with pytest.raises(InvalidDecodeOptions, match="English-only"):
        tiny.transcribe(sentence, DecodeOptions(language="de", **GREEDY))


@pytest.mark.skipif(not whisper_base.installed(), reason="the whisper-base extra is not installed")
def test_a_multilingual_model_detects_the_language_per_input(sentence, tmp_path_factory):
    base = WhisperEngine(whisper_base.assemble_whisper_base(whisper_base.default_cache_root(
        tmp_path_factory.mktemp("data"))), "whisper-base")
    ranked = base.detect_language(sentence)
    assert ranked[0][0] == "en" and ranked[0][1] > 0.5 and len(ranked) > 50
    detected, asked = base.transcribe_batch([sentence, sentence], DecodeOptions(language="", **GREEDY)), \
        base.transcribe(sentence, DecodeOptions(language="en", **GREEDY))
    assert [t.language for t in detected] == ["en", "en"] and asked.language == "en"
    assert detected[0].text == asked.text and "glue the sheet" in asked.text.lower()
    german = base.transcribe(sentence, DecodeOptions(language="de", **GREEDY))
    assert german.language == "de"
