"""client.fine_tunes: create, get, list, cancel, watch, wait, report."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import json_format

from adapt._convert import to_struct
from adapt._resource_api import JobResourceAPI
from adapt.errors import FailedPreconditionError, InvalidArgumentError
from adapt.resources import JobResource, State
from adapt.v1 import fine_tunes_pb2, fine_tunes_pb2_grpc


@dataclass(eq=False)
class FineTune(JobResource):
    """A fine-tune job and, once it SUCCEEDED, the tuned model's id ("ft:<base>:<short id>")."""
    base_model: str = ""
    dataset_id: str = ""
    hyperparameters: dict = field(default_factory=dict)
    validation: dict = field(default_factory=dict)
    model_id: str = ""              # "" until SUCCEEDED
    metrics: dict = field(default_factory=dict)
    export_formats: tuple[str, ...] = ()
    labels: dict = field(default_factory=dict)
    mixin_dataset_id: str = ""

    def _update(self, m) -> None:
        super()._update(m)
        self.base_model, self.dataset_id = m.base_model, m.dataset_id
        self.hyperparameters = json_format.MessageToDict(m.hyperparameters)
        self.validation = {"split": m.validation.split, "holdout_fraction": m.validation.holdout_fraction,
                           "forgetting_budget": m.validation.forgetting_budget,
                           "forgetting_reference": m.validation.forgetting_reference}
        self.model_id = m.model_id
        self.metrics = json_format.MessageToDict(m.metrics)
        self.export_formats = tuple(m.export_formats)
        self.labels = dict(m.labels)
        self.mixin_dataset_id = m.mixin_dataset_id

    def report(self, out_dir: str | Path) -> Path:
        """Writes the HTML report (with the interpolation curve's plot) into out_dir; returns report.html's path."""
        return self._api.report(self.id, out_dir)


class FineTunesAPI(JobResourceAPI[FineTune]):
    """Fine-tunes: get, list_page, list, cancel, watch and wait come from JobResourceAPI. Watch events of
    stage "train" count steps done/total and carry the loss and learning rate in their message; wait()
    returns the fine-tune with `model_id` set and survives a server restart."""
    resource_type, stub_type, messages = FineTune, fine_tunes_pb2_grpc.FineTunesStub, fine_tunes_pb2
    name, kind = "FineTune", "fine-tune"

    def create(self, base_model: str, dataset_id: str, hyperparameters: dict | None = None,
               validation: dict | None = None, labels: dict[str, str] | None = None,
               request_id: str | None = None, export_formats: list[str] | None = None,
               mixin_dataset_id: str = "") -> FineTune:
        """Starts fine-tuning `base_model` on `dataset_id`; returns at once with a PENDING fine-tune (see wait()).

        hyperparameters: e.g. {"learning_rate": 1e-5, "epochs": 3, "batch_size": 16} (docs/fine_tunes.md);
        validation: {"split": "holdout"} (default) or {"holdout_fraction": 0.2} or {"split": "none"}; also
        "forgetting_budget" (relative general-speech WER regression allowed against the base, default 0.05) and
        "forgetting_reference" (a dataset id of the team's general speech; default: the shipped reference).
        export_formats: besides "ctranslate2" (always), "huggingface" (default) and/or "onnx".
        mixin_dataset_id: general speech mixed in at hyperparameters["mixin_ratio"], against forgetting.
        """
        validation = dict(validation or {})
        known = {"split", "holdout_fraction", "forgetting_budget", "forgetting_reference"}
        unknown = sorted(set(validation) - known)
        if unknown:
            raise InvalidArgumentError(f"validation: unknown fields {unknown}; use {', '.join(sorted(known))}")
        request = fine_tunes_pb2.CreateFineTuneRequest(
            base_model=base_model, dataset_id=dataset_id,
            hyperparameters=to_struct("hyperparameters", dict(hyperparameters or {})), labels=labels or {},
            request_id=request_id or uuid.uuid4().hex, export_formats=list(export_formats or []),
            mixin_dataset_id=mixin_dataset_id)
        if validation:
            request.validation.split = str(validation.get("split") or "")
            try:
                request.validation.holdout_fraction = float(validation.get("holdout_fraction") or 0.0)
            except (TypeError, ValueError):
                raise InvalidArgumentError("validation.holdout_fraction must be a number between 0 and 0.5") from None
            if validation.get("forgetting_budget") is not None:
                try:
                    request.validation.forgetting_budget = float(validation["forgetting_budget"])
                except (TypeError, ValueError):
                    raise InvalidArgumentError("validation.forgetting_budget must be a number between 0 and 1") \
                        from None
            request.validation.forgetting_reference = str(validation.get("forgetting_reference") or "")
        return self._resource(self._call("CreateFineTune", request))

    def report(self, fine_tune_id: str, out_dir: str | Path) -> Path:
        """Writes `out_dir`/report.html (hyperparameters, training metrics, exports, the interpolation curve with
        its plot) and `out_dir`/plotly.min.js; returns the report's path. FailedPreconditionError unless the
        fine-tune SUCCEEDED."""
        from adapt._fine_tune_report import write_report
        fine_tune = self.get(fine_tune_id)
        if fine_tune.state != State.SUCCEEDED:
            raise FailedPreconditionError(f"fine-tune {fine_tune_id} is {fine_tune.state}; a report needs a "
                                          "SUCCEEDED one (adapt fine-tunes watch ID)")
        return write_report(fine_tune, Path(out_dir))
