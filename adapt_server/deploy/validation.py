"""Did a model fail its validation gates? Read from the evaluations' stored results through
`adapt_server.evaluation.validation.latest_validation(store, model_id)` (EVAL, issue 4): the newest finished
evaluation that had the model as a candidate, with the model's gate results (max RTF, max hallucination
rate, max regression on a reference dataset).

Only *gates* block a promotion: a model that did not win an evaluation (a baseline, say) but passed every
gate may be promoted, and a model never validated is not blocked either (promotion needs evidence of a
failure to require `force`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class GateVerdict:
    model_id: str
    evaluation_id: str          # the evaluation that decided
    failed: tuple[str, ...]     # human-readable failed gates, e.g. "max_rtf 0.5 < measured 0.62"

    @property
    def passed(self) -> bool:
        return not self.failed


def gate_verdict(store, model_id: str) -> GateVerdict | None:
    """The model's latest validation verdict, or None when it has none (or evaluations are unavailable)."""
    try:
        from adapt_server.evaluation.validation import latest_validation
    except ImportError:  # a server build without the evaluations service
        return None
    summary = latest_validation(store, model_id)
    if summary is None:
        return None
    failed = tuple(describe(g) for g in summary.gates if not g.passed)
    return GateVerdict(model_id, summary.evaluation_id, failed)


def describe(gate) -> str:
    """e.g. "max_rtf 0.001 < measured 0.052" or "max_reference_regression 0.05 not measured (no result)"."""
    if math.isnan(gate.measured):
        text = f"{gate.gate} {gate.limit:g} not measured"
    else:
        text = f"{gate.gate} {gate.limit:g} < measured {gate.measured:.4g}"
    return f"{text} ({gate.detail})" if gate.detail else text
