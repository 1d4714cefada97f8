"""The fine_tunes table (schema migration 4) and its jobs."""
from __future__ import annotations

import json
import secrets
import time

import sqlite_utils

from adapt_server.errors import AlreadyExists
from adapt_server.finetunes.records import DEFAULT_EXPORTS, FineTuneRecord, ValidationOptions
from adapt_server.store.jobs import JobQueue
from adapt_server.store.db import transaction
from adapt_server.store.pages import encode_token

FINE_TUNE_JOB = "fine_tune.run"
SHORT_ID_BYTES = 3  # 6 hex characters, as in "ft:whisper-tiny.en:abc123"


def tuned_model_id(base_model: str, short_id: str) -> str:
    return f"ft:{base_model}:{short_id}"


class FineTuneRepository:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.jobs = JobQueue(db)

    def create(self, base_model: str, dataset_id: str, hyperparameters: dict, validation: ValidationOptions,
               labels: dict, request_id: str | None, request_hash: str, max_attempts: int,
               options: dict | None = None) -> tuple[FineTuneRecord, bool]:
        """Stores the fine-tune and its PENDING job atomically; returns (record, created).

        A request_id seen before returns its fine-tune, or raises AlreadyExists when the request differs.
        """
        with transaction(self.db):
            row = self.db.execute("SELECT id, request_hash FROM fine_tunes WHERE request_id = ?",
                                  [request_id]).fetchone() if request_id else None
            if row is not None:
                if row["request_hash"] != request_hash:
                    raise AlreadyExists(f"request_id {request_id!r} was already used to create fine-tune "
                                        f"{row['id']} with different parameters; send a new request_id")
                fine_tune_id, created = row["id"], False
            else:
                short = self._new_short_id(base_model)
                fine_tune_id, created = f"ftjob_{short}", True
                self.db.execute(
                    "INSERT INTO fine_tunes (id, request_id, request_hash, base_model, dataset_id, hyperparameters, "
                    "validation, options, model_id, labels, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [fine_tune_id, request_id or None, request_hash, base_model, dataset_id,
                     json.dumps(hyperparameters, sort_keys=True), json.dumps(validation.to_dict()),
                     json.dumps(options or {}),
                     tuned_model_id(base_model, short), json.dumps(labels), time.time()])
                self.jobs.enqueue(FINE_TUNE_JOB, fine_tune_id, {"fine_tune_id": fine_tune_id}, max_attempts)
        return self.get(fine_tune_id), created

    def _new_short_id(self, base_model: str) -> str:
        while True:
            short = secrets.token_hex(SHORT_ID_BYTES)
            taken = self.db.execute("SELECT 1 FROM fine_tunes WHERE id = ? OR model_id = ?",
                                    [f"ftjob_{short}", tuned_model_id(base_model, short)]).fetchone()
            if taken is None and self.db.execute("SELECT 1 FROM models WHERE id = ?",
                                                 [tuned_model_id(base_model, short)]).fetchone() is None:
                return short

    def get(self, fine_tune_id: str) -> FineTuneRecord | None:
        row = self.db.execute("SELECT * FROM fine_tunes WHERE id = ?", [fine_tune_id]).fetchone()
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[FineTuneRecord], str]:
        if after is None:
            rows = self.db.execute("SELECT * FROM fine_tunes ORDER BY created_at, id LIMIT ?", [size + 1])
        else:
            rows = self.db.execute("SELECT * FROM fine_tunes WHERE (created_at, id) > (?, ?) "
                                   "ORDER BY created_at, id LIMIT ?", [after[0], after[1], size + 1])
        records = [self._record(r) for r in rows.fetchall()]
        token = encode_token(records[size - 1].created_at, records[size - 1].id) if len(records) > size else ""
        return records[:size], token

    def set_results(self, fine_tune_id: str, metrics: dict, exports: list[str]) -> None:
        self.db.execute("UPDATE fine_tunes SET metrics = ?, exports = ? WHERE id = ?",
                        [json.dumps(metrics), json.dumps(exports), fine_tune_id])

    def _record(self, row) -> FineTuneRecord:
        options = json.loads(row["options"])
        return FineTuneRecord(
            id=row["id"], request_id=row["request_id"], base_model=row["base_model"], dataset_id=row["dataset_id"],
            hyperparameters=json.loads(row["hyperparameters"]),
            validation=ValidationOptions.from_dict(json.loads(row["validation"])), model_id=row["model_id"],
            metrics=json.loads(row["metrics"]), exports=tuple(json.loads(row["exports"])),
            created_at=row["created_at"], job=self.jobs.for_resource(row["id"]), labels=json.loads(row["labels"]),
            export_formats=tuple(options.get("export_formats") or DEFAULT_EXPORTS),
            mixin_dataset_id=options.get("mixin_dataset_id", ""))
