from __future__ import annotations

import os
import time

import numpy as np
import pytest

from adapt_server.engines.conversion import ensure_ctranslate2, source_fingerprint
from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.model_directory import inspect_model_directory
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path


def test_a_ctranslate2_directory_is_used_in_place(tmp_path):
    assert ensure_ctranslate2(bundled_model_path(), tmp_path) == bundled_model_path()
    assert list(tmp_path.iterdir()) == []


def test_a_hugging_face_directory_is_converted_once(tiny_hf_whisper, tmp_path, synthetic_call):
    engine = WhisperEngine(tiny_hf_whisper, "tiny-random", compute_type="int8", engine_cache_dir=tmp_path)
    converted = engine.model_dir
    assert converted.parent == tmp_path and converted.name == f"ct2-{source_fingerprint(tiny_hf_whisper)}"
    assert inspect_model_directory(converted).format == "ctranslate2"
    assert (converted / "tokenizer.json").is_file()
    stamp = (converted / "model.bin").stat().st_mtime_ns
    time.sleep(0.01)
    again = WhisperEngine(tiny_hf_whisper, "tiny-random", compute_type="float32", engine_cache_dir=tmp_path)
    assert again.model_dir == converted and (converted / "model.bin").stat().st_mtime_ns == stamp
    assert [path.name for path in tmp_path.iterdir()] == [converted.name]  # no staging leftovers
    # random weights transcribe nonsense, but the whole pipeline runs on the converted model
    clip = synthetic_call.audio[:5 * 16000]
    result = engine.transcribe(clip, DecodeOptions(max_new_tokens=5, temperatures=(0.0,)))
    assert result.model_id == "tiny-random" and result.duration_s == pytest.approx(5.0)


def test_a_changed_source_converts_again(tiny_hf_whisper, tmp_path):
    first = ensure_ctranslate2(tiny_hf_whisper, tmp_path)
    config = tiny_hf_whisper / "config.json"
    stat = config.stat()
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = ensure_ctranslate2(tiny_hf_whisper, tmp_path)
    assert second != first and (second / "model.bin").is_file()
    assert ensure_ctranslate2(tiny_hf_whisper, tmp_path, fingerprint="abc") == tmp_path / "ct2-abc"


def test_an_unusable_directory_is_refused(tmp_path):
    (tmp_path / "config.json").write_text('{"model_type": "bert"}')
    with pytest.raises(ModelLoadError, match="only Whisper models"):
        ensure_ctranslate2(tmp_path, tmp_path / "cache")


def test_conversion_failure_names_the_directory(tmp_path):
    source = tmp_path / "broken"
    source.mkdir()
    (source / "config.json").write_text('{"model_type": "whisper"}')
    (source / "model.safetensors").write_bytes(b"not safetensors")
    (source / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelLoadError, match=f"converting the Hugging Face Whisper model in {source}"):
        ensure_ctranslate2(source, tmp_path / "cache")
    assert not any((tmp_path / "cache").glob("ct2-*"))
    assert np.all([not path.name.startswith(".converting") for path in (tmp_path / "cache").iterdir()])
