"""Did model M pass validation? The latest finished evaluation that had M as a candidate, summarized for the
promotion check of deployments.

A model *passed* an evaluation when it is that evaluation's winner: the best on the primary metric with 95%
confidence against every other candidate, and within every configured gate (see `leaderboard.py`). An
evaluation with M as its only candidate is passed when M passes the gates.
"""
from __future__ import annotations

from dataclasses import dataclass

from adapt_server.evaluation.repository import EvaluationRepository
from adapt_server.store.jobs import SUCCEEDED


@dataclass(frozen=True)
class GateCheck:
    gate: str  # "max_rtf", "max_hallucination_rate" or "max_reference_regression"
    limit: float
    measured: float  # nan when it could not be measured
    passed: bool
    detail: str


@dataclass(frozen=True)
class ValidationSummary:
    evaluation_id: str
    dataset_id: str
    split: str  # "train", "holdout" or "all"
    model_id: str
    passed: bool  # the model is the evaluation's winner
    winner: str | None  # the evaluation's winner (None: none)
    reason: str  # why it won, or why there is no winner
    primary_metric: str  # e.g. "wer"
    metrics: dict[str, float]  # this model's numbers: wer, cer, rtf, hallucination_rate (der for diarizers)
    gates: tuple[GateCheck, ...]  # this model's gate results
    created_at: float  # unix seconds the evaluation was created

    @property
    def gates_passed(self) -> bool:
        return all(gate.passed for gate in self.gates)


def latest_validation(store, model_id: str, dataset_id: str | None = None) -> ValidationSummary | None:
    """The newest SUCCEEDED evaluation with `model_id` among its candidates (on `dataset_id` when given),
    summarized; None when there is none. store: adapt_server.store.store.Store."""
    for record in EvaluationRepository(store.db).newest_first():
        if record.job is None or record.job.state != SUCCEEDED or model_id not in record.spec["candidates"]:
            continue
        if dataset_id is not None and record.dataset_id != dataset_id:
            continue
        return summarize(record, model_id)
    return None


def summarize(record, model_id: str) -> ValidationSummary:
    """One model's view of a finished EvaluationRecord."""
    result = record.result
    row = next((r for r in result.get("leaderboard", []) if r["model_id"] == model_id), {})
    metrics = {name: float(row[name]) for name in ("wer", "cer", "rtf", "hallucination_rate", "der") if name in row}
    gates = tuple(GateCheck(g["gate"], float(g["limit"]), float(g["measured"]), bool(g["passed"]), g["detail"])
                  for g in result.get("gate_results", []) if g["model_id"] == model_id)
    winner = result.get("winner") or None
    return ValidationSummary(
        evaluation_id=record.id, dataset_id=record.dataset_id, split=record.spec["split"], model_id=model_id,
        passed=winner == model_id, winner=winner, reason=result.get("reason", ""),
        primary_metric=record.spec["primary"], metrics=metrics, gates=gates, created_at=record.created_at)
