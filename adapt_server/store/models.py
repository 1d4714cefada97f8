"""The model catalogue table: bundled, registered and fine-tuned models. A project sees its own models and
the bundled ones (the shared project, store/scope.py); ids are unique per project, so two projects may each
register a model called "support-v2" without learning of the other."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.resources import ScopedTable
from adapt_server.store.scope import SHARED_PROJECT, ProjectScope


@dataclass(frozen=True)
class ModelRecord:
    id: str
    kind: str              # BUNDLED | REGISTERED | FINE_TUNED
    family: str            # whisper | qwen3_asr | voxtral | voxtral_realtime | cohere_asr | pocketsphinx | pyannote
    format: str            # ctranslate2 | huggingface (Whisper) | transformers | pocketsphinx | pyannote
    path: str
    base_model: str
    multilingual: bool
    n_mels: int
    size_bytes: int
    sha256: str
    created_at: float
    lineage: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    description: str = ""
    request_id: str | None = None
    role: str = "recognizer"                   # recognizer | aligner | diarizer
    languages: tuple[str, ...] = ()            # language codes it transcribes; () when not stated
    parameters: int = 0                        # number of weights (0: unknown)
    architecture: str = ""                     # e.g. "Qwen3ASRForConditionalGeneration", "WhisperSpec"
    request_hash: str | None = None  # of the RegisterModel request, to refuse a reused request_id (None: older rows)


class ModelRepository:
    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope):
        self.db = db
        self.scope = scope
        self.table = ScopedTable(db, "models", scope, shared_reads=True)

    def upsert(self, record: ModelRecord, shared: bool = False) -> None:
        """Stores the model in this project (in the shared project when `shared`: bundled models)."""
        project = SHARED_PROJECT if shared else self.scope.project
        self.db.execute(
            "INSERT OR REPLACE INTO models (id, kind, family, format, path, base_model, multilingual, n_mels, "
            "size_bytes, sha256, lineage, labels, description, request_id, created_at, role, languages, "
            "parameters, architecture, request_hash, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?, ?, ?)",
            [record.id, record.kind, record.family, record.format, record.path, record.base_model,
             int(record.multilingual), record.n_mels, record.size_bytes, record.sha256,
             json.dumps(record.lineage), json.dumps(record.labels), record.description, record.request_id,
             record.created_at or time.time(), record.role, json.dumps(list(record.languages)),
             int(record.parameters), record.architecture, record.request_hash, project])

    def get(self, model_id: str) -> ModelRecord | None:
        """The project's model or the bundled one with this id."""
        row = self.table.row(model_id)
        return self._record(row) if row else None

    def by_request_id(self, request_id: str) -> ModelRecord | None:
        condition, params = self.table.visible(writable=True)
        row = self.db.execute(f"SELECT * FROM models WHERE request_id = ? AND {condition}",
                              [request_id, *params]).fetchone()
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[ModelRecord], str]:
        """The project's and the bundled models oldest first; returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after)
        return [self._record(r) for r in rows], token

    def delete(self, model_id: str) -> None:
        self.table.delete(model_id)

    def with_role(self, role: str) -> list[ModelRecord]:
        """Every model of a role ("aligner", "diarizer", ...) this project sees (its own and the bundled ones),
        oldest first."""
        condition, params = self.table.visible()
        rows = self.db.execute(f"SELECT * FROM models WHERE role = ? AND {condition} ORDER BY created_at, id",
                               [role, *params]).fetchall()
        return [self._record(r) for r in rows]

    def uses_tree(self, sha256: str) -> bool:
        """Whether any model of any project is stored in this tree (the blob store is shared: a tree goes
        only when nobody uses it; callers never tell a client the answer)."""
        return self.db.execute("SELECT 1 FROM models WHERE sha256 = ? LIMIT 1", [sha256]).fetchone() is not None

    @staticmethod
    def _record(row) -> ModelRecord:
        data = dict(row)
        data.pop("project_id")  # the repository's project (or the shared one, for kind BUNDLED)
        data["multilingual"] = bool(data["multilingual"])
        data["lineage"] = json.loads(data["lineage"])
        data["labels"] = json.loads(data["labels"])
        data["languages"] = tuple(json.loads(data["languages"]))
        return ModelRecord(**data)
