"""The job-side entry point of a fine-tune: import the base model, featurize, train, export.

`run_fine_tune` runs inside a job worker process (DEPLOY's `adapt_server/finetunes` handler calls it); it
reports progress through `ctx.progress(...)` (stage, step, loss, learning rate, ETA in the message), checks
`ctx.check_cancelled()` between steps, and resumes from `out_dir/checkpoints/last.pt` when the job is run
again after a crash or kill -9 (same inputs -> same fingerprint -> same final weights).

Stages and their share of the job's progress: import 0-3%, featurize 3-10%, encoder cache (frozen_encoder)
10-15%, train 15-85%, holdout loss 85-88%, export 88-100%.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.store.fine_tunes import DEFAULT_FORGETTING_BUDGET
from adapt_server.training import interpolation, strategies
from adapt_server.training.ct2_import import import_base_model
from adapt_server.training.data import Item, check_items, featurize
from adapt_server.training.export import Ctranslate2Exporter, OnnxExporter, save_huggingface
from adapt_server.training.hyperparameters import Hyperparameters, validate_hyperparameters
from adapt_server.training.labels import special_tokens
from adapt_server.training.trainer import DEFAULT_CHECKPOINT_INTERVAL_S, StepReport, Trainer, evaluate_loss

EXPORT_FORMATS = ("ctranslate2", "onnx", "huggingface")
_EXPORT_DIRS = {"ctranslate2": "ct2", "onnx": "onnx"}
DEFAULT_EXPORT_FORMATS = ("ctranslate2", "huggingface")
HOLDOUT_LOSS_UTTERANCES = 16  # the holdout loss (a sanity metric; WER is the evaluation's job) uses this many
TRAIN_THREADS_ENV = "ADAPT_TRAIN_THREADS"  # torch threads of a training job (default: 2, this project's cap)


@dataclass(frozen=True)
class FineTuneOutput:
    """What a fine-tune produced."""

    ctranslate2_dir: Path | None  # CTranslate2 export (engines/model_directory.py accepts it), None when not asked
    onnx_dir: Path | None  # encoder.onnx + decoder.onnx, None when not asked
    huggingface_dir: Path  # the tuned model as a Hugging Face directory (always written: exports start from it)
    metrics: dict = field(default_factory=dict)  # train_loss, holdout_loss_before/after, steps, seconds, ...
    hyperparameters: dict = field(default_factory=dict)  # the validated values, defaults filled in
    export_formats: tuple[str, ...] = ()

    @property
    def export_dirs(self) -> dict[str, Path]:
        """{"ctranslate2": dir, "onnx": dir, "huggingface": dir} for the exports written."""
        dirs = {"ctranslate2": self.ctranslate2_dir, "onnx": self.onnx_dir, "huggingface": self.huggingface_dir}
        return {name: Path(path) for name, path in dirs.items() if path is not None and Path(path).is_dir()}

    def json_metrics(self) -> dict:
        """`metrics` as JSON values (array scalars as numbers; NaN and infinities, which JSON lacks, as None)."""
        return {str(name): _json_value(value) for name, value in self.metrics.items()}


def run_fine_tune(ctx, base_model_path: Path, base_model_id: str, train_items: Sequence[Item],
                  holdout_items: Sequence[Item], hp: Hyperparameters | dict | None, out_dir: Path, *,
                  mixin_items: Sequence[Item] = (), export_formats: Sequence[str] = DEFAULT_EXPORT_FORMATS,
                  ct2_quantization: str = "float16",
                  checkpoint_every_steps: int | None = None,
                  checkpoint_interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S,
                  collective=None,
                  general_items: Sequence[Item] | None = None,
                  forgetting_budget: float = DEFAULT_FORGETTING_BUDGET) -> FineTuneOutput:
    """Fine-tunes `base_model_path` on train_items and exports it under out_dir (ct2/, onnx/, hf/).

    items: (float32 16-kHz mono samples, transcript) pairs of at most 30 s. hp: Hyperparameters or a dict
    (validated). mixin_items: general speech mixed into every batch at hp.mixin_ratio (required when
    mixin_ratio > 0). Checkpoints (under out_dir/checkpoints, resumed from on a rerun) are written every
    checkpoint_every_steps steps when given, else every checkpoint_interval_s seconds of training.
    collective: rank 0 of a data-parallel run (training/distributed.py; the other ranks run `follow`).
    With hp.select_interpolation (the default unless weight_interpolation is given), one process (no
    collective: the ranks of a data-parallel run share one batch plan) and at least
    interpolation.MIN_TRAIN_ITEMS training items, a validation slice of the training items is held out of
    training, and the exported share of the change is chosen on it and on `general_items` (default: the general-
    speech reference that ships, sampledata/reference_speech.py) within `forgetting_budget` (training/
    interpolation.py); metrics["interpolation"] holds the curve, the chosen share and both WERs.
    Raises InvalidArgument for bad items or hyperparameters, JobCancelled on cancel.
    """
    started = time.perf_counter()
    hp = hp if isinstance(hp, Hyperparameters) else validate_hyperparameters(hp)
    formats = tuple(export_formats)
    unknown = [name for name in formats if name not in EXPORT_FORMATS]
    if unknown:
        raise InvalidArgument(f"unknown export format(s) {unknown}; choose from {', '.join(EXPORT_FORMATS)}")
    if not train_items:
        raise InvalidArgument("a fine-tune needs at least one training utterance; the dataset's train split is empty")
    check_items(train_items, "train_items")
    check_items(holdout_items, "holdout_items")
    check_items(mixin_items, "mixin_items")
    selection_items: list = []
    if hp.select_interpolation and collective is None:
        kept, held = interpolation.split_selection_slice(len(train_items), hp.seed)
        if held:
            selection_items = [train_items[i] for i in held]
            train_items = [train_items[i] for i in kept]
    if selection_items and general_items is None:
        from adapt_server.sampledata.reference_speech import general_reference_items
        general_items = general_reference_items()
    if selection_items:
        check_items(general_items, "general_items")
    if hp.mixin_ratio > 0 and not mixin_items:
        raise InvalidArgument(f"mixin_ratio is {hp.mixin_ratio} but no general-speech items were given; name a "
                              "dataset of general speech to mix in, or set mixin_ratio to 0")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _pin_threads()

    ctx.progress(0.0, "import", message=f"importing base model {base_model_id}")
    imported = import_base_model(Path(base_model_path))
    tokenizer, model = imported.tokenizer, imported.model
    tokens = special_tokens(tokenizer, multilingual=model.config.vocab_size > 51864)
    fingerprint = _fingerprint(base_model_path, hp, train_items, mixin_items)

    def featurize_progress(what: str, low: float, high: float):
        def report(done: int, total: int) -> None:
            ctx.progress(low + (high - low) * done / max(1, total), "featurize", done, total, "utterances",
                         message=f"featurizing {what}: {done}/{total}" if done in (1, total) else "")
        return report

    ctx.progress(0.03, "featurize", 0, len(train_items), "utterances")
    n_mels = model.config.num_mel_bins
    examples = featurize(train_items, tokenizer, tokens, n_mels, hp.timestamp_ratio, hp.seed,
                         featurize_progress("train", 0.03, 0.08))
    mixin = featurize(mixin_items, tokenizer, tokens, n_mels, hp.timestamp_ratio, hp.seed + 1)
    holdout = featurize(list(holdout_items)[:HOLDOUT_LOSS_UTTERANCES], tokenizer, tokens, n_mels,
                        hp.timestamp_ratio, hp.seed + 2, featurize_progress("holdout", 0.08, 0.10))

    base = strategies.base_weights(model) if hp.weight_interpolation < 1 or selection_items else None
    trainer = Trainer(model, hp, tokens.eot, out_dir / "checkpoints", checkpoint_every_steps=checkpoint_every_steps,
                      checkpoint_interval_s=checkpoint_interval_s, collective=collective)

    def on_cache(done: int, total: int) -> None:
        ctx.progress(0.10 + 0.05 * done / total, "encoder_cache", done, total, "utterances")

    def on_step(report: StepReport) -> None:
        ctx.progress(0.15 + 0.70 * report.step / report.total_steps, "train", report.step, report.total_steps,
                     "steps", message=f"step {report.step}/{report.total_steps} loss {report.loss:.4f} "
                                      f"lr {report.learning_rate:.2e} eta {report.eta_s:.0f}s")

    result = trainer.fit(examples, mixin, fingerprint, on_step=on_step, on_encoder_cache=on_cache)
    ctx.log(f"trained {result.steps} steps ({result.resumed_from_step} resumed) in {result.seconds:.1f} s, "
            f"median {result.median_step_s:.2f} s/step, final loss {result.final_loss:.4f}")
    tuned = trainer.trained_model()
    selection = None
    if selection_items:  # WiSE-FT, the share chosen on held-out domain items and general speech
        selection = _select_interpolation(ctx, tuned, base, selection_items, general_items, tokenizer,
                                          out_dir / "interpolation", hp, forgetting_budget, result.seconds)
        del base
    elif base is not None:  # WiSE-FT: keep weight_interpolation of the change
        strategies.interpolate_weights(tuned, base, hp.weight_interpolation)
        del base
    ctx.progress(0.85, "holdout_loss", 0, len(holdout), "utterances")
    holdout_after = evaluate_loss(tuned, holdout, tokens.eot, hp.micro_batch_size) if holdout else float("nan")

    ctx.progress(0.88, "export", 0, len(formats) + 1, "formats", message="saving the tuned model")
    hf_dir = _save_huggingface_dir(tuned, tokenizer, out_dir / "hf")
    exports = {}
    # the job owns out_dir: a rerun after a crash replaces exports it had already written
    for done, name in enumerate([f for f in formats if f != "huggingface"], start=1):
        ctx.progress(0.88 + 0.12 * done / (len(formats) + 1), "export", done, len(formats) + 1, "formats",
                     message=f"exporting {name}")
        exporter = Ctranslate2Exporter(ct2_quantization) if name == "ctranslate2" else OnnxExporter("float32")
        exports[name] = exporter.export(hf_dir, out_dir / _EXPORT_DIRS[name], force=True)

    metrics = {
        "train_loss": result.final_loss,
        "train_loss_first": result.losses[0] if result.losses else float("nan"),
        "holdout_loss_after": holdout_after,
        "steps": result.steps,
        "resumed_from_step": result.resumed_from_step,
        "train_seconds": round(result.seconds, 2),
        "median_step_seconds": round(result.median_step_s, 3),
        "peak_memory_mb": round(result.peak_memory_mb, 1),
        "device": result.device,
        "train_utterances": len(train_items),
        "holdout_utterances": len(holdout_items),
        "mixin_utterances": len(mixin_items),
        "export_seconds": {name: round(export.seconds, 2) for name, export in exports.items()},
        "export_bytes": {name: export.size_bytes for name, export in exports.items()},
        "total_seconds": round(time.perf_counter() - started, 2),
        "weight_interpolation": selection["chosen_share"] if selection else hp.weight_interpolation,
    }
    if selection:
        metrics["interpolation"] = selection
    elif hp.select_interpolation:
        why = ("a data-parallel run (its ranks share one batch plan of all the training items)" if collective
               is not None else f"{len(train_items)} training utterances, fewer than {interpolation.MIN_TRAIN_ITEMS}")
        metrics["interpolation"] = {"reason": f"not selected: {why}, none held out; share "
                                              f"{hp.weight_interpolation:g} kept"}
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    ctx.progress(1.0, "done", message=f"fine-tune done: final loss {result.final_loss:.4f}, holdout loss "
                                      f"{holdout_after:.4f}", force=True)
    return FineTuneOutput(
        ctranslate2_dir=exports["ctranslate2"].path if "ctranslate2" in exports else None,
        onnx_dir=exports["onnx"].path if "onnx" in exports else None,
        huggingface_dir=hf_dir, metrics=metrics, hyperparameters=hp.to_dict(),
        export_formats=tuple(name for name in EXPORT_FORMATS if name in exports or name == "huggingface"))


def _select_interpolation(ctx, tuned, base: dict, selection_items, general_items, tokenizer, work_dir: Path,
                          hp: Hyperparameters, budget: float, train_seconds: float) -> dict:
    """Scores the interpolation grid, leaves `tuned` at the chosen share, returns metrics["interpolation"]."""
    started = time.perf_counter()
    trained = strategies.base_weights(tuned)  # the tuned weights (share 1)
    grid = tuple(sorted({*interpolation.DEFAULT_GRID, hp.weight_interpolation}))

    def on_point(done: int, total: int) -> None:
        ctx.progress(0.85, "interpolation", done, total, "points")

    ctx.progress(0.85, "interpolation", 0, len(grid) + 1, "points",
                 message=f"choosing the interpolation share on {len(selection_items)} held-out training utterances "
                         f"and {len(general_items)} of general speech")
    points = interpolation.score_grid(tuned, base, trained, selection_items, general_items, tokenizer, grid,
                                      work_dir, on_point=on_point)
    choice = interpolation.choose_interpolation(points, budget)
    strategies.interpolate_weights_between(tuned, base, trained, choice.share)
    seconds = round(time.perf_counter() - started, 2)
    ctx.log(f"interpolation {choice.reason} ({seconds:.1f} s, {seconds / max(train_seconds, 1e-9):.0%} of training)")
    return {**choice.to_dict(), "selection_utterances": len(selection_items), "general_utterances": len(general_items),
            "seconds": seconds, "share_of_train_seconds": round(seconds / max(train_seconds, 1e-9), 3)}


def _save_huggingface_dir(model, tokenizer, target: Path) -> Path:
    """Writes the tuned model as a Hugging Face directory (complete before it takes the name `target`)."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    save_huggingface(model, tokenizer, partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _pin_threads() -> None:
    """Torch intra-op threads: 2 by default (the cap on a shared 2-core machine); ADAPT_TRAIN_THREADS overrides."""
    import torch
    threads = int(os.environ.get(TRAIN_THREADS_ENV, "2"))
    torch.set_num_threads(max(1, threads))


def _fingerprint(base_model_path: Path, hp: Hyperparameters, items: Sequence[Item], mixin: Sequence[Item]) -> str:
    """Hash of everything that determines the trained weights (a checkpoint of another run is never resumed)."""
    digest = hashlib.sha256()
    digest.update(str(Path(base_model_path).resolve()).encode())
    model_bin = Path(base_model_path) / "model.bin"
    if model_bin.is_file():
        stat = model_bin.stat()
        digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(json.dumps(hp.to_dict(), sort_keys=True).encode())
    for samples, text in list(items) + list(mixin):
        digest.update(text.encode())
        digest.update(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
    return digest.hexdigest()


def _json_value(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if hasattr(value, "item") and callable(value.item):  # numpy (or torch) scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
