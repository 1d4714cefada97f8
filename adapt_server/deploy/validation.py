"""Did a model pass its validation? Read from the evaluations' stored results (store/evaluations.py): the newest
finished evaluation that had the model as a candidate, with the model's gate results (max RTF, max
hallucination rate, max regression on a reference dataset).

A model *passed* an evaluation when it is that evaluation's winner: the best on the primary metric with 95%
confidence against every other candidate, and within every configured gate (see `scoring/leaderboard.py`).
An evaluation with M as its only candidate is passed when M passes the gates.

Only *gates* block a promotion: a model that did not win an evaluation (a baseline, say) but passed every
gate may be promoted, and a model never validated is not blocked either (promotion needs evidence of a
failure to require `force`). The stored result's keys are those of `adapt.v1.EvaluationResult`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from adapt_server.scoring.gates import GateResult
from adapt_server.store.evaluations import EvaluationRecord
from adapt_server.store.jobs import SUCCEEDED


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
    metrics: dict[str, float]  # this model's numbers: wer, cer, rtf, hallucination_rate (der for diarizers),
    # reference_wer (general-speech WER, when a forgetting gate ran)
    gates: tuple[GateResult, ...]  # this model's gate results
    created_at: float  # unix seconds the evaluation was created

    @property
    def gates_passed(self) -> bool:
        return all(gate.passed for gate in self.gates)


@dataclass(frozen=True)
class GateVerdict:
    model_id: str
    evaluation_id: str          # the evaluation that decided
    failed: tuple[str, ...]     # human-readable failed gates, e.g. "max_rtf 0.5 < measured 0.62"

    @property
    def passed(self) -> bool:
        return not self.failed


def latest_validation(store, model_id: str, dataset_id: str | None = None) -> ValidationSummary | None:
    """The newest SUCCEEDED evaluation with `model_id` among its candidates (on `dataset_id` when given),
    summarized; None when there is none. store: adapt_server.store.store.Store."""
    for record in store.evaluations.newest_first():
        if record.job is None or record.job.state != SUCCEEDED or model_id not in record.spec["candidates"]:
            continue
        if dataset_id is not None and record.dataset_id != dataset_id:
            continue
        return summarize(record, model_id)
    return None


def summarize(record: EvaluationRecord, model_id: str) -> ValidationSummary:
    """One model's view of a finished evaluation."""
    result = record.result
    row = next((r for r in result.get("leaderboard", []) if r["model_id"] == model_id), {})
    metrics = {name: float(row[name]) for name in ("wer", "cer", "rtf", "hallucination_rate", "der", "reference_wer")
               if name in row}
    gates = tuple(GateResult(g["gate"], float(g["limit"]), float(g["measured"]), bool(g["passed"]), g["detail"])
                  for g in result.get("gate_results", []) if g["model_id"] == model_id)
    winner = result.get("winner") or None
    return ValidationSummary(
        evaluation_id=record.id, dataset_id=record.dataset_id, split=record.spec["split"], model_id=model_id,
        passed=winner == model_id, winner=winner, reason=result.get("reason", ""),
        primary_metric=record.spec["primary"], metrics=metrics, gates=gates, created_at=record.created_at)


def gate_verdict(store, model_id: str) -> GateVerdict | None:
    """The model's latest validation verdict, or None when it has none."""
    summary = latest_validation(store, model_id)
    if summary is None:
        return None
    failed = tuple(describe(g) for g in summary.gates if not g.passed)
    return GateVerdict(model_id, summary.evaluation_id, failed)


def describe(gate: GateResult) -> str:
    """e.g. "max_rtf 0.001 < measured 0.052" or "max_reference_regression 0.05 not measured (no result)"."""
    if math.isnan(gate.measured):
        text = f"{gate.gate} {gate.limit:g} not measured"
    else:
        text = f"{gate.gate} {gate.limit:g} < measured {gate.measured:.4g}"
    return f"{text} ({gate.detail})" if gate.detail else text
