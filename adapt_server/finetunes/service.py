"""Fine-tune use cases (create, get, list, cancel, whether its model is registered); called by the API layer,
free of gRPC."""
from __future__ import annotations

import hashlib
import json
import math

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound, echo
from adapt_server.finetunes.data import assign_splits, utterance_refs
from adapt_server.jobs.resources import JobBackedResources
from adapt_server.models.names import model_not_found
from adapt_server.store.fine_tunes import (DEFAULT_EXPORTS, DEFAULT_FORGETTING_BUDGET, NO_VALIDATION, FineTuneRecord,
                                          ValidationOptions)
from adapt_server.store.store import Store
from adapt_server.training import validate_hyperparameters

TRAINABLE_FORMATS = ("ctranslate2", "huggingface")  # Whisper (training/job.py)
FAMILY_FORMAT = "transformers"                      # the transformers families (training/family_job.py)
TRAINABLE_FAMILIES = ("qwen3_asr", "voxtral", "cohere_asr")
UNTRAINABLE_REASONS = {"voxtral_realtime": "Voxtral Realtime is not fine-tuned yet: its targets are text tokens "
                                           "placed at their audio time (one token per 80 ms with a 480-ms delay), "
                                           "which needs word-timed transcripts this fine-tune does not build; "
                                           "fine-tune 'voxtral' or 'qwen3_asr' instead"}
MAX_HOLDOUT_FRACTION = 0.5
SERVED_FORMAT = "ctranslate2"                      # Whisper: always exported, the format the engines serve
OPTIONAL_EXPORTS = ("huggingface", "onnx")
FAMILY_SERVED_FORMAT = "huggingface"               # families: always exported (safetensors), served by transformers
FAMILY_OPTIONAL_EXPORTS = ("onnx",)                # where torch's exporter handles the family (Voxtral)
NO_ONNX_REASONS = {  # measured (docs/models.md): torch's exporters fail on these families
    "qwen3_asr": "Qwen3-ASR's audio encoder chunks its input data-dependently, which torch.export cannot trace",
    "cohere_asr": "Cohere Transcribe's FastConformer uses aten::diff, which no ONNX opset has",
}


class FineTuneService(JobBackedResources[FineTuneRecord]):
    """Fine-tune use cases; get, list and cancel are those of every job-backed resource (jobs/resources.py)."""

    def __init__(self, config: ServerConfig, store: Store):
        super().__init__(store.fine_tunes, store.jobs, cancel_rpc="CancelFineTune")
        self.config = config
        self.store = store

    def create(self, base_model: str, dataset_id: str, hyperparameters: dict, validation: dict | None,
               labels: dict[str, str], request_id: str, export_formats: list[str] | None = None,
               mixin_dataset_id: str = "") -> FineTuneRecord:
        """Validates everything up front, then stores the fine-tune and its PENDING job atomically."""
        if not base_model:
            raise InvalidArgument("base_model is required, e.g. 'whisper-tiny.en' (list models to see the ids)")
        base = self.store.models.get(base_model)
        if base is None:
            raise model_not_found(base_model, "base_model")
        family_model = _check_trainable(base)
        if not dataset_id:
            raise InvalidArgument("dataset_id is required: the dataset to train on (list datasets to see the ids)")
        dataset = self.store.datasets.get(dataset_id)
        if dataset is None:
            raise NotFound(f"dataset {echo(dataset_id)} does not exist; list datasets to see the ids")
        options = _validation_options(validation or {})
        validated = validate_hyperparameters(dict(hyperparameters or {}))
        if family_model:
            from adapt_server.training.family_adapter import check_family_hyperparameters
            check_family_hyperparameters(validated, base.family)
        hp = validated.to_dict()
        formats = _family_export_formats(export_formats or [], base.family) if family_model \
            else _export_formats(export_formats or [])
        self._check_mixin(mixin_dataset_id, hp)
        for resource_id, what in ((base_model, "base_model"), (dataset_id, "dataset"),
                                  (mixin_dataset_id, "mixin dataset")):
            if resource_id:
                self.store.lineage.require_not_revoked(resource_id, what)
        if options.forgetting_reference:
            self._check_forgetting_reference(options.forgetting_reference)
        if dataset.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"dataset {dataset_id} is {dataset.job.state}; fine-tune once its ingest "
                                     "SUCCEEDED (client.datasets.wait)")
        train, _, _ = assign_splits(utterance_refs(self.store, dataset_id), options)
        if not train:
            raise FailedPrecondition(f"dataset {dataset_id} has no transcribed utterances to train on; add "
                                     "transcripts (sidecar files) or an align step")
        request_hash = hashlib.sha256(json.dumps(
            {"base_model": base_model, "dataset_id": dataset_id, "hyperparameters": hyperparameters or {},
             "validation": options.to_dict(), "labels": labels, "export_formats": formats,
             "mixin_dataset_id": mixin_dataset_id}, sort_keys=True, default=str).encode()).hexdigest()
        record, _ = self.store.fine_tunes.create(base_model, dataset_id, hp, options, dict(labels), request_id or None,
                                     request_hash, self.config.max_job_attempts,
                                     {"export_formats": formats, "mixin_dataset_id": mixin_dataset_id})
        return record

    def _check_mixin(self, mixin_dataset_id: str, hp: dict) -> None:
        if not mixin_dataset_id:
            if hp.get("mixin_ratio"):
                raise InvalidArgument(f"hyperparameter mixin_ratio is {hp['mixin_ratio']} but no mixin_dataset_id "
                                      "names the general speech to mix in; name one, or set mixin_ratio to 0")
            return
        mixin = self.store.datasets.get(mixin_dataset_id)
        if mixin is None:
            raise NotFound(f"mixin_dataset_id {echo(mixin_dataset_id)} does not exist; list datasets to see the ids")
        if mixin.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"mixin dataset {mixin_dataset_id} is {mixin.job.state}; use it once its "
                                     "ingest SUCCEEDED")
        if not hp.get("mixin_ratio"):
            raise InvalidArgument("mixin_dataset_id is set but hyperparameter mixin_ratio is 0; set mixin_ratio "
                                  "(0 < ratio <= 0.9: the share of each batch from that dataset)")

    def _check_forgetting_reference(self, dataset_id: str) -> None:
        reference = self.store.datasets.get(dataset_id)
        if reference is None:
            raise NotFound(f"validation.forgetting_reference: dataset {echo(dataset_id)} does not exist; name a "
                           "dataset of the team's general speech, or leave it empty for the shipped reference")
        if reference.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"validation.forgetting_reference: dataset {dataset_id} is "
                                     f"{reference.job.state}; use it once its ingest SUCCEEDED")

    def model_registered(self, record: FineTuneRecord) -> bool:
        """True once the fine-tune's model is in the catalogue (its job registers it last)."""
        return self.store.models.get(record.model_id) is not None


def _check_trainable(base) -> bool:
    """True for a transformers family base model, False for Whisper; FailedPrecondition saying why otherwise."""
    if base.role != "recognizer":
        raise FailedPrecondition(f"base_model {base.id!r} is a {base.family} {base.role}, not a speech recognizer; "
                                 "fine-tune the recognizer")
    if base.family == "whisper" and base.format in TRAINABLE_FORMATS:
        return False
    if base.format == FAMILY_FORMAT and base.family in TRAINABLE_FAMILIES:
        return True
    reason = UNTRAINABLE_REASONS.get(base.family, f"fine-tuning takes Whisper ({', '.join(TRAINABLE_FORMATS)}) or "
                                                  f"a transformers model of {', '.join(TRAINABLE_FAMILIES)}")
    raise FailedPrecondition(f"base_model {base.id!r} is a {base.family} {base.format} model: {reason}")


def _family_export_formats(requested: list[str], family: str) -> list[str]:
    """A family fine-tune's formats: huggingface (always: it serves) plus onnx when asked; CTranslate2 converts
    Whisper only, so asking for it is refused."""
    if "ctranslate2" in requested:
        raise InvalidArgument(f"export_formats: CTranslate2 converts Whisper only; a {family} fine-tune exports "
                              f"{[FAMILY_SERVED_FORMAT, *FAMILY_OPTIONAL_EXPORTS]}")
    unknown = sorted(set(requested) - {FAMILY_SERVED_FORMAT, *FAMILY_OPTIONAL_EXPORTS})
    if unknown:
        raise InvalidArgument(f"export_formats: unknown {unknown}; a {family} fine-tune exports "
                              f"{[FAMILY_SERVED_FORMAT, *FAMILY_OPTIONAL_EXPORTS]}")
    if "onnx" in requested and family in NO_ONNX_REASONS:
        raise InvalidArgument(f"export_formats: onnx is not available for {family}: {NO_ONNX_REASONS[family]}; "
                              "export huggingface")
    return [f for f in (FAMILY_SERVED_FORMAT, *FAMILY_OPTIONAL_EXPORTS) if f in set(requested) | {FAMILY_SERVED_FORMAT}]


def _export_formats(requested: list[str]) -> list[str]:
    """The formats to export: ctranslate2 (always: it serves) plus the ones asked for (default: huggingface)."""
    unknown = sorted(set(requested) - {SERVED_FORMAT, *OPTIONAL_EXPORTS})
    if unknown:
        raise InvalidArgument(f"export_formats: unknown {unknown}; choose from "
                              f"{[SERVED_FORMAT, *OPTIONAL_EXPORTS]}")
    chosen = set(requested) if requested else set(DEFAULT_EXPORTS)
    return [f for f in (SERVED_FORMAT, *OPTIONAL_EXPORTS) if f in chosen | {SERVED_FORMAT}]


def _validation_options(raw: dict) -> ValidationOptions:
    known = {"split", "holdout_fraction", "forgetting_budget", "forgetting_reference"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidArgument(f"validation: unknown fields {unknown}; use {', '.join(sorted(known))}")
    split = raw.get("split") or "holdout"
    if not isinstance(split, str):
        raise InvalidArgument(f"validation.split must be a split name such as 'holdout' or 'none'; got {echo(split)}")
    fraction = raw.get("holdout_fraction") or 0.0
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not math.isfinite(fraction) \
            or not 0.0 <= fraction <= MAX_HOLDOUT_FRACTION:
        raise InvalidArgument(f"validation.holdout_fraction must be between 0 and {MAX_HOLDOUT_FRACTION} "
                              f"(a share of the recordings); got {echo(fraction)}")
    if split == NO_VALIDATION and fraction:
        raise InvalidArgument("validation.split 'none' holds nothing out; leave holdout_fraction at 0")
    budget = raw.get("forgetting_budget")
    if budget is None:
        budget = DEFAULT_FORGETTING_BUDGET
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not math.isfinite(budget) \
            or not 0.0 <= budget <= 1.0:
        raise InvalidArgument(f"validation.forgetting_budget is the relative general-speech WER regression "
                              f"allowed against the base model, between 0 and 1 (0.05: 5%); got {echo(budget)}")
    reference = raw.get("forgetting_reference") or ""
    if not isinstance(reference, str):
        raise InvalidArgument(f"validation.forgetting_reference must be a dataset id; got {echo(reference)}")
    return ValidationOptions(split, float(fraction), float(budget), reference.strip())
