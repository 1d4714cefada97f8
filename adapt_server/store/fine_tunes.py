"""The fine_tunes table (schema migration 4): fine-tune records, each created with its `fine_tune.run` job."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.jobs import Job
from adapt_server.store.lineage import BASE_MODEL, MIXIN, TRAINED_ON, LineageRepository
from adapt_server.store.resources import JobResource, JobResourceTable
from adapt_server.store.scope import ProjectScope

FINE_TUNE_JOB = "fine_tune.run"
FINE_TUNES = JobResource(table="fine_tunes", noun="fine-tune", plural="fine-tunes", job_kind=FINE_TUNE_JOB,
                         payload_key="fine_tune_id")
SHORT_ID_BYTES = 3  # 6 hex characters, as in "ft:whisper-tiny.en:abc123"
HOLDOUT_SPLIT = "holdout"
NO_VALIDATION = "none"
DEFAULT_EXPORTS = ("ctranslate2", "huggingface")


DEFAULT_FORGETTING_BUDGET = 0.05  # relative general-speech regression a tuned model may show against its base


@dataclass(frozen=True)
class ValidationOptions:
    """What the job holds out to check the tuned model while it trains, and how forgetting is checked."""
    split: str = HOLDOUT_SPLIT        # dataset split used as the held-out set, or "none"
    holdout_fraction: float = 0.0     # 0..0.5 of the recordings held out when the dataset has no such split
    forgetting_budget: float = DEFAULT_FORGETTING_BUDGET  # relative general-speech WER regression allowed, 0..1
    forgetting_reference: str = ""    # dataset id of the team's general speech ("": the shipped reference)

    def to_dict(self) -> dict:
        return {"split": self.split, "holdout_fraction": self.holdout_fraction,
                "forgetting_budget": self.forgetting_budget, "forgetting_reference": self.forgetting_reference}

    @classmethod
    def from_dict(cls, data: dict | None) -> "ValidationOptions":
        data = data or {}
        budget = data.get("forgetting_budget")
        return cls(data.get("split") or HOLDOUT_SPLIT, float(data.get("holdout_fraction") or 0.0),
                   DEFAULT_FORGETTING_BUDGET if budget is None else float(budget),
                   data.get("forgetting_reference") or "")


@dataclass(frozen=True)
class FineTuneRecord:
    id: str                       # "ftjob_abc123"
    request_id: str | None
    base_model: str               # e.g. "whisper-tiny.en"
    dataset_id: str
    hyperparameters: dict         # as validated (defaults filled in), JSON values
    validation: ValidationOptions
    model_id: str                 # "ft:<base>:<short id>"; the model exists once the job SUCCEEDED
    metrics: dict                 # final metrics from training (train loss, holdout loss/WER, steps, seconds)
    exports: tuple[str, ...]      # export formats written, e.g. ("ctranslate2", "onnx", "huggingface")
    created_at: float
    job: Job
    labels: dict = field(default_factory=dict)
    export_formats: tuple[str, ...] = DEFAULT_EXPORTS  # asked for (ctranslate2 always)
    mixin_dataset_id: str = ""    # general speech mixed in against forgetting ("" none)


def tuned_model_id(base_model: str, short_id: str) -> str:
    return f"ft:{base_model}:{short_id}"


class FineTuneRepository:
    """One project's fine-tunes."""

    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope, max_active_jobs: int = 0):
        self.db = db
        self.table = JobResourceTable(db, FINE_TUNES, scope, max_active_jobs)

    def create(self, base_model: str, dataset_id: str, hyperparameters: dict, validation: ValidationOptions,
               labels: dict, request_id: str | None, request_hash: str, max_attempts: int,
               options: dict | None = None) -> tuple[FineTuneRecord, bool]:
        """Stores the fine-tune and its PENDING job atomically (idempotent by request_id, see
        store/resources.py); returns (record, created)."""
        def new_row() -> dict:
            short = self._new_short_id(base_model)
            return {"id": f"ftjob_{short}", "base_model": base_model, "dataset_id": dataset_id,
                    "hyperparameters": json.dumps(hyperparameters, sort_keys=True),
                    "validation": json.dumps(validation.to_dict()), "options": json.dumps(options or {}),
                    "model_id": tuned_model_id(base_model, short), "labels": json.dumps(labels)}
        def with_lineage(new_id: str) -> None:
            lineage = LineageRepository(self.db, self.table.scope)
            lineage.add_edge(new_id, "fine_tune", dataset_id, "dataset", TRAINED_ON)
            lineage.add_edge(new_id, "fine_tune", base_model, "model", BASE_MODEL)
            if (options or {}).get("mixin_dataset_id"):
                lineage.add_edge(new_id, "fine_tune", options["mixin_dataset_id"], "dataset", MIXIN)
        fine_tune_id, created = self.table.create(request_id, request_hash, max_attempts, new_row, also=with_lineage)
        return self.get(fine_tune_id), created

    def _new_short_id(self, base_model: str) -> str:
        """A short id whose job and model ids no project uses (checked across projects: the id is random, so
        a retry on a collision tells the caller nothing)."""
        while True:
            short = secrets.token_hex(SHORT_ID_BYTES)
            taken = self.db.execute("SELECT 1 FROM fine_tunes WHERE id = ? OR model_id = ?",
                                    [f"ftjob_{short}", tuned_model_id(base_model, short)]).fetchone()
            if taken is None and self.db.execute("SELECT 1 FROM models WHERE id = ?",
                                                 [tuned_model_id(base_model, short)]).fetchone() is None:
                return short

    def get(self, fine_tune_id: str) -> FineTuneRecord | None:
        row = self.table.row(fine_tune_id)
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[FineTuneRecord], str]:
        """Fine-tunes oldest first; returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after)
        return [self._record(r) for r in rows], token

    def set_results(self, fine_tune_id: str, metrics: dict, exports: list[str]) -> None:
        visible, params = self.table.scoped.visible(writable=True)
        self.db.execute(f"UPDATE fine_tunes SET metrics = ?, exports = ? WHERE id = ? AND {visible}",
                        [json.dumps(metrics), json.dumps(exports), fine_tune_id, *params])

    def _record(self, row) -> FineTuneRecord:
        options = json.loads(row["options"])
        return FineTuneRecord(
            id=row["id"], request_id=row["request_id"], base_model=row["base_model"], dataset_id=row["dataset_id"],
            hyperparameters=json.loads(row["hyperparameters"]),
            validation=ValidationOptions.from_dict(json.loads(row["validation"])), model_id=row["model_id"],
            metrics=json.loads(row["metrics"]), exports=tuple(json.loads(row["exports"])),
            created_at=row["created_at"], job=self.table.job(row["id"]), labels=json.loads(row["labels"]),
            export_formats=tuple(options.get("export_formats") or DEFAULT_EXPORTS),
            mixin_dataset_id=options.get("mixin_dataset_id", ""))
