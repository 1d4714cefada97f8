"""Promotion reads the evaluations' stored gate results: a failed gate needs force, the message lists it."""
from __future__ import annotations

import pytest

from adapt_server.deploy.service import DeploymentService
from adapt_server.deploy.validation import gate_verdict
from adapt_server.errors import FailedPrecondition
from adapt_server.evaluation.spec import parse_spec
from adapt_server.store.jobs import SUCCEEDED

BASE, COPY = "whisper-tiny.en", "tiny-copy"


def _finished_evaluation(store, candidates, gate_results, winner):
    """An evaluation as the evaluation job leaves it: SUCCEEDED, with leaderboard and gate results stored."""
    repo = store.evaluations
    spec = parse_spec("ds_x", list(candidates), ["wer", "realtime_factor"], "holdout", gates={"max_rtf": 0.001})
    record, _ = repo.create("validation", "ds_x", spec.to_dict(), {}, None, "h", 3)
    job = store.jobs.claim("test-worker", frozenset({record.job.kind}))
    repo.set_result(record.id, {"winner": winner, "reason": "gate failed" if not winner else "clear win",
                                "leaderboard": [{"model_id": m, "wer": 0.1, "rtf": 0.05} for m in candidates],
                                "gate_results": gate_results})
    store.jobs.finish(job, SUCCEEDED)
    return record.id


def _gate(model_id, passed):
    return {"model_id": model_id, "gate": "max_rtf", "limit": 0.001, "measured": 0.05 if not passed else 0.0005,
            "passed": passed, "detail": ""}


def test_a_model_without_validation_is_not_blocked(store):
    assert gate_verdict(store, COPY) is None
    assert DeploymentService(store).update("prod", {"stt": COPY}).routes == {"stt": COPY}


def test_a_failed_gate_needs_force_and_the_message_lists_it(store):
    evaluation_id = _finished_evaluation(store, [COPY], [_gate(COPY, False)], None)
    deployments = DeploymentService(store)
    deployments.update("prod", {"stt": BASE})
    with pytest.raises(FailedPrecondition) as caught:
        deployments.update("prod", {"stt": COPY})
    assert "max_rtf 0.001 < measured 0.05" in caught.value.message and evaluation_id in caught.value.message
    assert "force=True" in caught.value.message
    assert deployments.get("prod").routes == {"stt": BASE}
    with pytest.raises(FailedPrecondition, match="max_rtf"):
        deployments.update("prod", {"stt": BASE}, canary={"model": COPY, "percent": 10})
    forced = deployments.update("prod", {"stt": COPY}, force=True)
    assert forced.routes == {"stt": COPY}
    last = deployments.history("prod")[-1]
    assert last.forced and "max_rtf" in last.note


def test_passing_gates_promote_without_force_even_when_not_the_winner(store):
    _finished_evaluation(store, [COPY, BASE], [_gate(COPY, True), _gate(BASE, True)], COPY)
    verdict = gate_verdict(store, BASE)
    assert verdict is not None and verdict.passed
    assert DeploymentService(store).update("prod", {"stt": BASE}).routes == {"stt": BASE}


def test_the_latest_validation_decides(store):
    _finished_evaluation(store, [COPY], [_gate(COPY, False)], None)
    _finished_evaluation(store, [COPY], [_gate(COPY, True)], COPY)
    assert gate_verdict(store, COPY).passed
