"""Fine-tune value objects."""
from __future__ import annotations

from dataclasses import dataclass, field

from adapt_server.store.jobs import Job

HOLDOUT_SPLIT = "holdout"
NO_VALIDATION = "none"
MAX_HOLDOUT_FRACTION = 0.5
SERVED_FORMAT = "ctranslate2"                      # always exported: the format the engines serve
OPTIONAL_EXPORTS = ("huggingface", "onnx")
DEFAULT_EXPORTS = ("ctranslate2", "huggingface")


@dataclass(frozen=True)
class ValidationOptions:
    """What the job holds out to check the tuned model while it trains."""
    split: str = HOLDOUT_SPLIT        # dataset split used as the held-out set, or "none"
    holdout_fraction: float = 0.0     # 0..0.5 of the recordings held out when the dataset has no such split

    def to_dict(self) -> dict:
        return {"split": self.split, "holdout_fraction": self.holdout_fraction}

    @classmethod
    def from_dict(cls, data: dict | None) -> "ValidationOptions":
        data = data or {}
        return cls(data.get("split") or HOLDOUT_SPLIT, float(data.get("holdout_fraction") or 0.0))


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
