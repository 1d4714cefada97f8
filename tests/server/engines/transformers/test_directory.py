"""inspect_transformers_directory and the loader's refusals: each family's directory is described; unsupported,
incomplete or damaged ones get a canonical error whose message says what to fix."""
from __future__ import annotations

import json
import shutil

import pytest

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.transformers import (
    SUPPORTED_MODEL_TYPES,
    UnsupportedModelType,
    inspect_transformers_directory,
    load_transformers_aligner,
    load_transformers_recognizer,
)

FAMILIES = ("qwen3_asr", "voxtral", "voxtral_realtime", "cohere_asr", "whisper")


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_is_described(tiny, family):
    described = inspect_transformers_directory(tiny(family))
    assert described.family == family and described.role == "recognizer"
    assert described.parameters > 10_000 and described.size_bytes > described.parameters * 4
    assert described.weight_files == ("model.safetensors",) and described.dtype.startswith("F32")
    assert described.languages  # every family says which languages it takes
    if family == "whisper":  # read from the checkpoint's generation config
        assert set(described.languages) == {"en", "de", "fr", "es"}


def test_the_forced_aligner_is_described_as_an_aligner(tiny):
    described = inspect_transformers_directory(tiny("qwen3_forced_aligner"))
    assert (described.family, described.role, described.architecture) == (
        "qwen3_asr", "aligner", "Qwen3ASRForTokenClassification")
    assert "en" in described.languages
    with pytest.raises(ModelLoadError, match="register it as an aligner"):
        load_transformers_recognizer("fa", tiny("qwen3_forced_aligner"))
    with pytest.raises(ModelLoadError, match="not a forced aligner"):
        load_transformers_aligner("asr", tiny("qwen3_asr"))


def _copy(tiny, family, tmp_path):
    target = tmp_path / family
    shutil.copytree(tiny(family), target)
    return target


def test_an_unsupported_model_type_names_it_and_the_families(tiny, tmp_path):
    path = _copy(tiny, "whisper", tmp_path)
    config = json.loads((path / "config.json").read_text())
    config["model_type"] = "wav2vec2"
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsupportedModelType) as caught:
        load_transformers_recognizer("w2v", path)
    assert caught.value.code == "INVALID_ARGUMENT"
    assert "'wav2vec2'" in caught.value.message
    assert all(family in caught.value.message for family in SUPPORTED_MODEL_TYPES)
    del config["model_type"]
    (path / "config.json").write_text(json.dumps(config))
    with pytest.raises(UnsupportedModelType, match="no model_type"):
        inspect_transformers_directory(path)


def test_truncated_weights_are_refused_before_loading(tiny, tmp_path):
    path = _copy(tiny, "qwen3_asr", tmp_path)
    weights = path / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[:len(data) // 2])
    with pytest.raises(ModelLoadError) as caught:
        load_transformers_recognizer("broken", path)
    assert caught.value.code == "FAILED_PRECONDITION"
    assert "model.safetensors" in caught.value.message and "truncated" in caught.value.message


@pytest.mark.parametrize("removed, expected", [
    (("tokenizer.json",), "no tokenizer"),
    (("processor_config.json",), "no processor"),
    (("config.json",), "no config.json"),
    (("model.safetensors",), "no weights"),
])
def test_missing_files_say_which(tiny, tmp_path, removed, expected):
    path = _copy(tiny, "cohere_asr", tmp_path)
    for name in removed:
        (path / name).unlink()
    with pytest.raises(ModelLoadError, match=expected) as caught:
        inspect_transformers_directory(path)
    assert caught.value.code == "FAILED_PRECONDITION"


def test_garbage_header_and_bad_config_are_failed_preconditions(tiny, tmp_path):
    path = _copy(tiny, "voxtral", tmp_path)
    (path / "model.safetensors").write_bytes(b"\xff" * 64)
    with pytest.raises(ModelLoadError, match="not a readable safetensors"):
        inspect_transformers_directory(path)
    (path / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError, match="not readable JSON"):
        inspect_transformers_directory(path)
    with pytest.raises(ModelLoadError, match="not a directory"):
        inspect_transformers_directory(tmp_path / "absent")
