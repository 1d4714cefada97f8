"""The registry's transformers entry: a family's recognizer and a Qwen3-ForcedAligner load through LOADERS, once,
whatever the CTranslate2 compute type asked; roles are kept apart (an aligner does not transcribe)."""
from __future__ import annotations

import os

import numpy as np
import pytest

from adapt_server.engines.aligned import AlignedRecognizer, with_word_times
from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.protocol import AlignmentWindow, WordAligner
from adapt_server.engines.registry import LOADERS, EngineRegistry, ModelSource
from testkit.tiny_checkpoints import TinyCheckpoints

os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> TinyCheckpoints:
    return TinyCheckpoints(tmp_path_factory.mktemp("tiny-checkpoints"))


def test_a_family_loads_once_for_every_compute_type_and_an_aligner_times_its_words(tiny, tmp_path):
    assert "transformers" in LOADERS
    registry = EngineRegistry(tmp_path / "engines", threads=1)
    recognizer = ModelSource("qwen3-asr", tiny("qwen3_asr"), "transformers", "qwen3_asr")
    aligner = ModelSource("qwen3-forced-aligner", tiny("qwen3_forced_aligner"), "transformers", "qwen3_asr",
                          role="aligner")
    engine = registry.get(recognizer, "int8")
    assert registry.get(recognizer, "float32") is engine and registry.loads == 1
    assert engine.info.family == "qwen3_asr" and not engine.info.word_timestamps
    timed = with_word_times(engine, registry.aligner(aligner))
    assert isinstance(timed, AlignedRecognizer) and isinstance(timed, WordAligner) and timed.info.word_timestamps
    audio = np.random.default_rng(0).normal(0, 0.1, 16000 * 2).astype(np.float32)
    words = timed.align_words(audio, [AlignmentWindow(0.0, 2.0, ("hello", "there"))])[0]
    assert [w.text for w in words] == ["hello", "there"] and all(0.0 <= w.start <= w.end <= 2.0 for w in words)
    result = timed.transcribe(audio, DecodeOptions(beam_size=1, max_new_tokens=6, language="en"))
    for segment in result.segments:
        assert [w.text for w in segment.words] == segment.text.split()
    with pytest.raises(ModelLoadError, match="is an aligner, not a recognizer"):
        registry.get(aligner)
    with pytest.raises(ModelLoadError, match="is not a forced aligner"):
        registry.aligner(recognizer)
