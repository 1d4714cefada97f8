from __future__ import annotations

import threading
import time

import pytest

from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType
from adapt_server.engines.registry import EngineRegistry, ModelSource
from adapt_server.models.bundled import bundled_model_path
from adapt_server.models.sources import model_source
from adapt_server.store.models import ModelRecord

BUNDLED = ModelSource("whisper-tiny.en", bundled_model_path(), "ctranslate2", "whisper")


def record(model_id: str, path, model_format: str = "ctranslate2", sha256: str = "") -> ModelRecord:
    return ModelRecord(id=model_id, kind="REGISTERED", family="whisper", format=model_format, path=str(path),
                       base_model="", multilingual=False, n_mels=80, size_bytes=0, sha256=sha256,
                       created_at=time.time())


def test_loads_once_and_shares_the_engine(tmp_path):
    registry = EngineRegistry(tmp_path)
    first = registry.get(BUNDLED)
    assert registry.get(BUNDLED) is first
    assert registry.get(model_source(record("whisper-tiny.en", bundled_model_path()))) is first  # same id, path, type
    assert registry.loads == 1 and registry.loaded() == [("whisper-tiny.en", "int8")]
    assert first.model_id == "whisper-tiny.en"


def test_least_recently_used_engine_is_dropped(tmp_path):
    registry = EngineRegistry(tmp_path, max_engines=2)
    int8 = registry.get(BUNDLED, "int8")
    registry.get(BUNDLED, "float32")
    registry.get(BUNDLED, "int8")  # now float32 is the least recently used
    registry.get(ModelSource("other-name", bundled_model_path(), "ctranslate2"), "int8")
    assert registry.loaded() == [("whisper-tiny.en", "int8"), ("other-name", "int8")]
    assert registry.get(BUNDLED, "int8") is int8 and registry.loads == 3
    assert registry.evict("whisper-tiny.en") == 1 and registry.loaded() == [("other-name", "int8")]


def test_concurrent_requests_load_a_model_once(tmp_path):
    registry = EngineRegistry(tmp_path)
    barrier = threading.Barrier(4)
    engines = []

    def request() -> None:
        barrier.wait()
        engines.append(registry.get(BUNDLED, "int8"))

    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(engines) == 4 and all(engine is engines[0] for engine in engines)
    assert registry.loads == 1


def test_hugging_face_records_are_converted_into_the_cache(tmp_path, tiny_hf_whisper):
    registry = EngineRegistry(tmp_path / "cache")
    engine = registry.get(model_source(record("ft-random", tiny_hf_whisper, "huggingface", sha256="f" * 64)))
    assert engine.model_dir == tmp_path / "cache" / f"ct2-{'f' * 16}"


def test_unusable_models_raise_a_clear_error(tmp_path):
    registry = EngineRegistry(tmp_path / "cache")
    with pytest.raises(ModelLoadError, match="does not exist"):
        registry.get(ModelSource("gone", tmp_path / "missing", "ctranslate2"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="holds neither"):
        registry.get(ModelSource("empty", tmp_path / "empty", "ctranslate2"))
    with pytest.raises(ModelLoadError, match="format 'onnx'"):
        registry.get(ModelSource("onnx-model", bundled_model_path(), "onnx"))
    with pytest.raises(UnsupportedComputeType, match="float16"):
        registry.get(BUNDLED, "float16")
    with pytest.raises(TypeError, match="ModelSource"):
        registry.get("whisper-tiny.en")
    assert registry.loads == 0 and registry.loaded() == []
    assert model_source(record("whisper-tiny.en", bundled_model_path())) == BUNDLED
