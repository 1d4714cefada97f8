"""Registers a fine-tune's served export in the catalogue as "ft:<base>:<short id>".

Whisper serves its CTranslate2 export; a transformers family (qwen3_asr, voxtral, cohere_asr) serves its Hugging
Face safetensors export through the transformers backend (format "transformers"). Like RegisterModel: the
directory is validated (models/directories.py), copied into the content-addressed store and served from there;
the other exports are stored beside it and named in the lineage (with the dataset's provenance record), and a
lineage edge fine-tune -> model is written. A fine-tune whose data was revoked while it ran registers nothing.
Idempotent: a job resumed after a crash finds the model already registered.
"""
from __future__ import annotations

import time
from pathlib import Path

from adapt_server.errors import AdaptError, FailedPrecondition
from adapt_server.models.directories import describe_directory
from adapt_server.store.consents import DATASET_PROVENANCE
from adapt_server.store.fine_tunes import FineTuneRecord
from adapt_server.store.lineage import PRODUCED
from adapt_server.store.models import ModelRecord

CONSENT_KEYS = ("consent", "consent_refs", "consent_ref")


def consent_refs(dataset) -> list[str]:
    """Consent references a dataset carries (spec or labels), e.g. signed voice consents."""
    refs: list[str] = []
    for container in (dataset.spec, dataset.spec.get("labels", {})):
        for key, value in container.items():
            if key in CONSENT_KEYS or key.startswith("consent"):
                refs += [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    return sorted(set(refs))


def register_tuned_model(store, fine_tune: FineTuneRecord, exports: dict[str, Path], metrics: dict,
                         base: ModelRecord, dataset) -> ModelRecord:
    existing = store.models.get(fine_tune.model_id)
    if existing is not None:
        return existing
    store.lineage.require_not_revoked(fine_tune.id, "fine-tune")  # its data's consent went while it trained
    served_format = "huggingface" if base.format == "transformers" else "ctranslate2"
    served = exports.get(served_format)
    if served is None:
        raise FailedPrecondition(f"training produced no {served_format} export; the tuned model cannot be served")
    try:
        info = describe_directory(served)
    except AdaptError as exc:
        raise FailedPrecondition(f"the {served_format} export is not a usable model: {exc.message}") from None
    tree_sha, stored = store.blobs.put_tree(served)
    stored_exports = {served_format: {"sha256": tree_sha, "path": str(stored)}}
    for fmt, directory in exports.items():
        if fmt != served_format:
            sha, path = store.blobs.put_tree(directory)
            stored_exports[fmt] = {"sha256": sha, "path": str(path)}
    lineage = {
        "base_model": base.id,
        "base_model_sha256": base.sha256,
        "fine_tune_id": fine_tune.id,
        "dataset": {"id": fine_tune.dataset_id, "name": dataset.name if dataset else "",
                    "consent_refs": consent_refs(dataset) if dataset else [],
                    "provenance_consent_id": _provenance_id(store, fine_tune.dataset_id)},
        "mixin_dataset_id": fine_tune.mixin_dataset_id,
        "hyperparameters": fine_tune.hyperparameters,
        "validation": fine_tune.validation.to_dict(),
        "metrics": metrics,
        "exports": stored_exports,
    }
    record = ModelRecord(
        id=fine_tune.model_id, kind="FINE_TUNED", family=info.family, format=info.format, path=str(stored),
        base_model=base.id, multilingual=info.multilingual, n_mels=info.n_mels, size_bytes=info.size_bytes,
        sha256=tree_sha, created_at=time.time(), lineage=lineage, labels=dict(fine_tune.labels),
        description=f"{base.id} fine-tuned on dataset {fine_tune.dataset_id} by {fine_tune.id}", role=info.role,
        languages=info.languages or tuple(base.languages), parameters=info.parameters,
        architecture=info.architecture)
    store.models.upsert(record)
    store.lineage.add_edge(record.id, "model", fine_tune.id, "fine_tune", PRODUCED)
    return record


def _provenance_id(store, dataset_id: str) -> str:
    """The id of the dataset's provenance record ("" when it has none)."""
    row = store.consents.for_subject(dataset_id, DATASET_PROVENANCE)
    return row.id if row else ""
