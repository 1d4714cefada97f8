"""The model catalogue table: bundled, registered and fine-tuned models."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.pages import keyset_page


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
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def upsert(self, record: ModelRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO models (id, kind, family, format, path, base_model, multilingual, n_mels, "
            "size_bytes, sha256, lineage, labels, description, request_id, created_at, role, languages, "
            "parameters, architecture, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            [record.id, record.kind, record.family, record.format, record.path, record.base_model,
             int(record.multilingual), record.n_mels, record.size_bytes, record.sha256,
             json.dumps(record.lineage), json.dumps(record.labels), record.description, record.request_id,
             record.created_at or time.time(), record.role, json.dumps(list(record.languages)),
             int(record.parameters), record.architecture, record.request_hash])

    def get(self, model_id: str) -> ModelRecord | None:
        row = self.db.execute("SELECT * FROM models WHERE id = ?", [model_id]).fetchone()
        return self._record(row) if row else None

    def by_request_id(self, request_id: str) -> ModelRecord | None:
        row = self.db.execute("SELECT * FROM models WHERE request_id = ?", [request_id]).fetchone()
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[ModelRecord], str]:
        """Models oldest first; returns (page, next_page_token or '')."""
        rows, token = keyset_page(self.db, "SELECT * FROM models", size, after)
        return [self._record(r) for r in rows], token

    def delete(self, model_id: str) -> None:
        self.db.execute("DELETE FROM models WHERE id = ?", [model_id])

    def with_role(self, role: str) -> list[ModelRecord]:
        """Every model of a role ("aligner", "diarizer", ...), oldest first."""
        rows = self.db.execute("SELECT * FROM models WHERE role = ? ORDER BY created_at, id", [role]).fetchall()
        return [self._record(r) for r in rows]

    def uses_tree(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM models WHERE sha256 = ? LIMIT 1", [sha256]).fetchone() is not None

    @staticmethod
    def _record(row) -> ModelRecord:
        data = dict(row)
        data["multilingual"] = bool(data["multilingual"])
        data["lineage"] = json.loads(data["lineage"])
        data["labels"] = json.loads(data["labels"])
        data["languages"] = tuple(json.loads(data["languages"]))
        return ModelRecord(**data)
