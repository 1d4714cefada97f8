"""The seam to the training library (adapt_server.training, TRAIN's area), in one place.

Agreed interface: `validate_hyperparameters(dict) -> Hyperparameters` (InvalidArgument naming the field and
its range) and `run_fine_tune(ctx, base_model_path, base_model_id, train_items, holdout_items, hp, out_dir)
-> FineTuneOutput` with the exported CTranslate2, ONNX and Hugging Face directories and the final metrics.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

from adapt_server.errors import FailedPrecondition

EXPORT_FIELDS = {  # export format -> FineTuneOutput attribute names that may hold its directory
    "ctranslate2": ("ct2_dir", "ctranslate2_dir", "ct2_path"),
    "onnx": ("onnx_dir", "onnx_path"),
    "huggingface": ("hf_dir", "huggingface_dir", "hf_path"),
}


MODULES = ("adapt_server.training", "adapt_server.training.job", "adapt_server.training.hyperparameters")


def _function(name: str):
    """`name` from the training package (or the module that defines it)."""
    import importlib
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if hasattr(module, name):
            return getattr(module, name)
    raise FailedPrecondition(f"fine-tuning is not available in this server build (no {name} in "
                             f"{', '.join(MODULES)})")


def validate_hyperparameters(raw: dict):
    return _function("validate_hyperparameters")(raw)


def hyperparameters_dict(hp) -> dict:
    """A validated Hyperparameters as JSON values (for the record, the lineage and the API)."""
    if dataclasses.is_dataclass(hp):
        data = dataclasses.asdict(hp)
    elif hasattr(hp, "to_dict"):
        data = hp.to_dict()
    else:
        data = dict(hp)
    return {k: _json_value(v) for k, v in data.items()}


def run_fine_tune(ctx, base_model_path: Path, base_model_id: str, train_items, holdout_items, hp, out_dir: Path,
                  **options):
    """options: the training library's keyword options (export_formats, mixin_items)."""
    return _function("run_fine_tune")(ctx, base_model_path, base_model_id, train_items, holdout_items, hp, out_dir,
                                      **options)


def exported_dirs(output) -> dict[str, Path]:
    """{"ctranslate2": dir, "onnx": dir, "huggingface": dir} for the exports the output holds."""
    found = {}
    exports = getattr(output, "exports", None)
    if isinstance(exports, dict):
        found.update({k: Path(v) for k, v in exports.items() if v})
    for fmt, names in EXPORT_FIELDS.items():
        for name in names:
            value = getattr(output, name, None)
            if value and fmt not in found:
                found[fmt] = Path(value)
    return {fmt: path for fmt, path in found.items() if path.is_dir()}


def output_metrics(output) -> dict:
    metrics = getattr(output, "metrics", None) or {}
    if dataclasses.is_dataclass(metrics):
        metrics = dataclasses.asdict(metrics)
    return {k: _json_value(v) for k, v in dict(metrics).items()}


def _json_value(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
