"""Evaluation use cases (create, get, list, cancel, delete, utterance results); called by the API layer, free
of gRPC. The work itself runs in a worker process: `evaluation/job.py` (job kind `evaluation.run`)."""
from __future__ import annotations

import hashlib
import json

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound, echo
from adapt_server.evaluation.spec import (DIARIZERS, MAX_NAME_LENGTH, TunedCandidate, parse_spec,
                                         with_default_forgetting_gate)
from adapt_server.jobs.resources import JobBackedResources
from adapt_server.models.names import model_not_found
from adapt_server.sampledata.reference_speech import GENERAL_REFERENCE_ID
from adapt_server.store.evaluations import EvaluationRecord, HypothesisRow
from adapt_server.store.fine_tunes import ValidationOptions
from adapt_server.store.jobs import SUCCEEDED
from adapt_server.store.datasets import dataset_language
from adapt_server.store.pages import requested_page
from adapt_server.store.store import Store


class EvaluationService(JobBackedResources[EvaluationRecord]):
    """Evaluation use cases; get, list (of one dataset when dataset_id is given), cancel and delete are those of
    every job-backed resource (jobs/resources.py)."""

    def __init__(self, config: ServerConfig, store: Store):
        super().__init__(store.evaluations, store.jobs, cancel_rpc="CancelEvaluation")
        self.config = config
        self.store = store

    def create(self, dataset_id: str, candidates: list[str], metrics: list[str] | None = None, split: str = "",
               primary_metric: str = "", normalizer: str = "", gates: dict | None = None, name: str = "",
               labels: dict[str, str] | None = None, request_id: str = "") -> EvaluationRecord:
        """Validates everything up front, then stores the evaluation and its PENDING job atomically."""
        name = name.strip()
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidArgument(f"name is {len(name)} characters; the limit is {MAX_NAME_LENGTH}")
        registered = {c.strip(): self.store.models.get(c.strip()) for c in candidates if c.strip() not in DIARIZERS}
        diarizer_models = frozenset(c for c, record in registered.items() if record and record.role == "diarizer")
        dataset = self.store.datasets.get(dataset_id) if dataset_id else None
        language = dataset_language(dataset.spec) if dataset is not None else ""
        spec = parse_spec(dataset_id, list(candidates), list(metrics or []), split, primary_metric, normalizer,
                          gates, diarizer_models, language)
        spec = with_default_forgetting_gate(spec, {
            model_id: _tuned_candidate(record) for model_id, record in registered.items()
            if record is not None and record.kind == "FINE_TUNED" and record.base_model})
        self._ready_dataset(spec.dataset_id, "dataset_id")
        if spec.reference_dataset_id and spec.reference_dataset_id != GENERAL_REFERENCE_ID:
            field_name = ("the fine-tune's validation.forgetting_reference" if spec.default_forgetting_gate
                          else "gates.reference_dataset_id")
            self._ready_dataset(spec.reference_dataset_id, field_name)
        for model_id in spec.asr_candidates + spec.reference_models:
            record = self.store.models.get(model_id)
            if record is None:
                raise model_not_found(model_id, "candidate model", hint=f" (diarizers: {', '.join(DIARIZERS)})")
            if record.role != "recognizer":
                raise InvalidArgument(f"candidate {model_id!r} is a {record.family} {record.role}: it neither "
                                      "transcribes nor diarizes; evaluate the recognizer it serves")
        request_hash = hashlib.sha256(json.dumps({"spec": spec.to_dict(), "name": name, "labels": labels or {}},
                                                 sort_keys=True).encode()).hexdigest()
        record, _ = self.store.evaluations.create(name, spec.dataset_id, spec.to_dict(), dict(labels or {}),
                                            request_id or None, request_hash, self.config.max_job_attempts)
        return record

    def utterance_results(self, evaluation_id: str, model_id: str, errors_only: bool, requested_size: int,
                          token: str) -> tuple[list[HypothesisRow], str]:
        record = self.get(evaluation_id)
        if model_id and model_id not in record.spec["candidates"]:
            raise InvalidArgument(f"model_id {echo(model_id)} is not a candidate of {evaluation_id}; its candidates: "
                                  f"{record.spec['candidates']}")
        return requested_page(self.store.evaluations.hypotheses_page, requested_size, token,
                              evaluation_id=evaluation_id, model_id=model_id, errors_only=errors_only)

    def _ready_dataset(self, dataset_id: str, field_name: str) -> None:
        dataset = self.store.datasets.get(dataset_id)
        if dataset is None:
            raise NotFound(f"{field_name}: dataset {echo(dataset_id)} does not exist; list datasets to see the ids")
        if dataset.job.state != SUCCEEDED:
            raise FailedPrecondition(f"{field_name}: dataset {dataset_id} is {dataset.job.state}; evaluate it "
                                     "once its ingest has SUCCEEDED (wait for it)")


def _tuned_candidate(record) -> TunedCandidate:
    """A fine-tuned model's base, forgetting budget and reference, from its lineage (the fine-tune's validation
    options; older fine-tunes carry no budget and get the default)."""
    options = ValidationOptions.from_dict((record.lineage or {}).get("validation"))
    return TunedCandidate(record.id, record.base_model, options.forgetting_budget, options.forgetting_reference)
