"""Whisper fine-tuning: import a base model into torch, train, export (CTranslate2, ONNX, Hugging Face).

Public API (docs/training.md):
- `validate_hyperparameters(dict) -> Hyperparameters` (raises InvalidArgument naming the field and range);
- `run_fine_tune(ctx, base_model_path, base_model_id, train_items, holdout_items, hp, out_dir) -> FineTuneOutput`,
  the job-side entry point (runs in a job worker process).
Importing this package is light; torch and transformers load when `run_fine_tune` is first used.
"""
from adapt_server.training.hyperparameters import STRATEGIES, Hyperparameters, validate_hyperparameters

__all__ = ["STRATEGIES", "FineTuneOutput", "Hyperparameters", "run_fine_tune", "validate_hyperparameters"]


def __getattr__(name: str):
    if name in ("run_fine_tune", "FineTuneOutput"):
        from adapt_server.training import job
        return getattr(job, name)
    raise AttributeError(f"module 'adapt_server.training' has no attribute {name!r}")
