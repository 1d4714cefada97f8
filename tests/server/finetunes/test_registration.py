"""Registering an exported CTranslate2 directory as "ft:<base>:<id>": stored, lineage, idempotent, loadable."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition
from adapt_server.finetunes.registration import register_tuned_model
from adapt_server.models.bundled import bundled_model_path
from adapt_server.models.service import ModelService
from adapt_server.store.fine_tunes import ValidationOptions
from adapt_server.store.store import Store


@pytest.fixture
def store(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    s = Store.open(config, run_migrations=True)
    ModelService(config, s).register_bundled()
    yield s
    s.close()


@pytest.fixture
def fine_tune(store):
    dataset, _ = store.datasets.create("calls", {"sources": [], "pipeline": [], "labels": {"consent": "form-17"}},
                                       None, "h", 3)
    record, created = store.fine_tunes.create(
        "whisper-tiny.en", dataset.id, {"learning_rate": 1e-5, "epochs": 3}, ValidationOptions(), {"team": "cc"},
        "req-1", "hash-1", 3)
    assert created and record.id.startswith("ftjob_")
    return record, dataset


def test_the_export_is_registered_with_its_lineage(store, fine_tune, tmp_path):
    record, dataset = fine_tune
    export = tmp_path / "export-ct2"
    shutil.copytree(bundled_model_path(), export)
    onnx = tmp_path / "export-onnx"
    onnx.mkdir()
    (onnx / "encoder.onnx").write_bytes(b"onnx bytes")
    model = register_tuned_model(store, record, {"ctranslate2": export, "onnx": onnx}, {"train_loss": 0.4},
                                 store.models.get("whisper-tiny.en"), dataset)
    short = record.id.removeprefix("ftjob_")
    assert model.id == record.model_id == f"ft:whisper-tiny.en:{short}"
    assert (model.kind, model.base_model, model.format) == ("FINE_TUNED", "whisper-tiny.en", "ctranslate2")
    assert Path(model.path).is_dir() and Path(model.path).parent.name == "trees"
    lineage = model.lineage
    assert lineage["dataset"] == {"id": dataset.id, "name": "calls", "consent_refs": ["form-17"],
                                  "provenance_consent_id": ""}
    assert lineage["hyperparameters"] == {"learning_rate": 1e-5, "epochs": 3}
    assert lineage["metrics"] == {"train_loss": 0.4} and set(lineage["exports"]) == {"ctranslate2", "onnx"}
    assert model.labels == {"team": "cc"}
    shutil.rmtree(export)  # the stored copy does not depend on the export directory
    assert store.models.get(model.id) == model
    again = register_tuned_model(store, record, {}, {}, store.models.get("whisper-tiny.en"), dataset)
    assert again == model  # a resumed job finds it registered


def test_the_id_transcribes_like_any_model(store, fine_tune, tmp_path):
    import numpy as np
    from adapt_server.engines.options import DecodeOptions
    from adapt_server.engines.registry import EngineRegistry
    from adapt_server.models.sources import model_source
    record, dataset = fine_tune
    model = register_tuned_model(store, record, {"ctranslate2": bundled_model_path()}, {},
                                 store.models.get("whisper-tiny.en"), dataset)
    engine = EngineRegistry(tmp_path / "engines").get(model_source(model), "int8")
    result = engine.transcribe(np.zeros(16000, dtype=np.float32), DecodeOptions())
    assert isinstance(result.text, str)


def test_without_a_ctranslate2_export_nothing_is_registered(store, fine_tune):
    record, dataset = fine_tune
    with pytest.raises(FailedPrecondition, match="no ctranslate2 export"):
        register_tuned_model(store, record, {}, {}, store.models.get("whisper-tiny.en"), dataset)
    assert store.models.get(record.model_id) is None
