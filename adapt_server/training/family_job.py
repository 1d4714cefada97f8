"""The job-side entry point of a fine-tune of a transformers family (qwen3_asr, voxtral, cohere_asr).

`run_family_fine_tune` mirrors `job.run_fine_tune` (Whisper): the same hyperparameter validation, progress stages
and messages, cancellation between steps, checkpoints under out_dir/checkpoints resumed after a crash or kill -9
(same inputs -> same fingerprint -> same final weights), and the same Trainer (training/trainer.py) given the
family's loss adapter. Export: a Hugging Face safetensors directory always (out_dir/hf, with the base model's
tokenizer/processor files, so `load_transformers_recognizer` serves it); CTranslate2 supports Whisper only, so it
is refused here; "onnx" exports the model's teacher-forced forward pass where torch's exporter handles it
(training/export/family_onnx.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from adapt_server.engines.transformers import inspect_transformers_directory, load_transformers_recognizer
from adapt_server.errors import InvalidArgument
from adapt_server.training import strategies
from adapt_server.training.data import Item, check_items
from adapt_server.training.family_adapter import FamilyLossAdapter, check_family_hyperparameters
from adapt_server.training.family_examples import TRAINABLE_FAMILIES, build_examples
from adapt_server.training.hyperparameters import Hyperparameters, validate_hyperparameters
from adapt_server.training.trainer import DEFAULT_CHECKPOINT_INTERVAL_S, StepReport, Trainer, evaluate_family_loss

FAMILY_EXPORT_FORMATS = ("huggingface", "onnx")
HOLDOUT_LOSS_UTTERANCES = 16
TRAIN_THREADS_ENV = "ADAPT_TRAIN_THREADS"  # torch threads of a training job (default 2, this project's cap)
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".index.json", ".pt")


def is_family_base_model(path: Path) -> bool:
    """True when `path` holds a trainable transformers family (not Whisper, which job.run_fine_tune trains)."""
    config = Path(path) / "config.json"
    try:
        return json.loads(config.read_text(encoding="utf-8")).get("model_type") in TRAINABLE_FAMILIES
    except (OSError, ValueError):
        return False


def run_family_fine_tune(ctx, base_model_path: Path, base_model_id: str, train_items: Sequence[Item],
                         holdout_items: Sequence[Item], hp: Hyperparameters | dict | None, out_dir: Path, *,
                         language: str = "en", export_formats: Sequence[str] = ("huggingface",),
                         checkpoint_every_steps: int | None = None,
                         checkpoint_interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S):
    """Fine-tunes the family model in base_model_path on train_items; returns a job.FineTuneOutput.

    items: (float32 16-kHz mono samples, transcript) pairs of at most 30 s; language: the items' language code.
    Raises InvalidArgument for bad items, hyperparameters, formats or an untrainable family; JobCancelled on cancel.
    """
    from adapt_server.training.job import FineTuneOutput

    started = time.perf_counter()
    hp = hp if isinstance(hp, Hyperparameters) else validate_hyperparameters(hp)
    described = inspect_transformers_directory(Path(base_model_path))
    family = described.family
    if family not in TRAINABLE_FAMILIES or described.role != "recognizer":
        raise InvalidArgument(f"base model {base_model_id!r} is a {family} {described.role}; fine-tuning takes "
                              f"{', '.join(TRAINABLE_FAMILIES)} recognizers here (Whisper through its own path)")
    check_family_hyperparameters(hp, family)
    formats = tuple(export_formats)
    if "ctranslate2" in formats:
        raise InvalidArgument(f"CTranslate2 supports Whisper only; export a {family} fine-tune as huggingface "
                              "(and onnx)")
    unknown = [name for name in formats if name not in FAMILY_EXPORT_FORMATS]
    if unknown:
        raise InvalidArgument(f"unknown export format(s) {unknown}; choose from {', '.join(FAMILY_EXPORT_FORMATS)}")
    if not train_items:
        raise InvalidArgument("a fine-tune needs at least one training utterance; the dataset's train split is empty")
    check_items(train_items, "train_items")
    check_items(holdout_items, "holdout_items")
    if described.languages and language not in described.languages:
        raise InvalidArgument(f"language {language!r} is not one of {base_model_id!r}'s: "
                              f"{', '.join(described.languages)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    threads = max(1, int(os.environ.get(TRAIN_THREADS_ENV, "2")))

    ctx.progress(0.0, "import", message=f"loading base model {base_model_id} ({described.family_info.display_name})")
    recognizer = load_transformers_recognizer(base_model_id, described.path, dtype="float32", threads=threads)
    model, processor, tokenizer = recognizer.model, recognizer.codec.processor, recognizer.codec.tokenizer
    ctx.progress(0.03, "featurize", 0, len(train_items), "utterances")
    examples = build_examples(family, processor, tokenizer, model.config, train_items, language)
    holdout = build_examples(family, processor, tokenizer, model.config,
                             list(holdout_items)[:HOLDOUT_LOSS_UTTERANCES], language)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    adapter = FamilyLossAdapter(family, pad_id)
    base = strategies.base_weights(model) if hp.weight_interpolation < 1 else None
    trainer = Trainer(model, hp, pad_id, out_dir / "checkpoints", checkpoint_every_steps=checkpoint_every_steps,
                      checkpoint_interval_s=checkpoint_interval_s, adapter=adapter)

    def on_step(report: StepReport) -> None:
        ctx.progress(0.15 + 0.70 * report.step / report.total_steps, "train", report.step, report.total_steps,
                     "steps", message=f"step {report.step}/{report.total_steps} loss {report.loss:.4f} "
                                      f"lr {report.learning_rate:.2e} eta {report.eta_s:.0f}s")

    fingerprint = family_fingerprint(described.path, hp, train_items, language)
    result = trainer.fit(examples, [], fingerprint, on_step=on_step)
    ctx.log(f"trained {result.steps} steps ({result.resumed_from_step} resumed) in {result.seconds:.1f} s, "
            f"median {result.median_step_s:.2f} s/step, final loss {result.final_loss:.4f}")
    tuned = trainer.trained_model()
    if base is not None:  # WiSE-FT: keep weight_interpolation of the change
        strategies.interpolate_weights(tuned, base, hp.weight_interpolation)
        del base
    ctx.progress(0.85, "holdout_loss", 0, len(holdout), "utterances")
    holdout_after = evaluate_family_loss(tuned, adapter, holdout, hp.micro_batch_size) if holdout else float("nan")

    ctx.progress(0.88, "export", 0, len(formats), "formats", message="saving the tuned model")
    hf_dir = save_family_model(tuned, described.path, out_dir / "hf")
    exports = {}
    if "onnx" in formats:
        from adapt_server.training.export.family_onnx import export_family_onnx
        exports["onnx"] = export_family_onnx(hf_dir, out_dir / "onnx", family)
    metrics = {
        "family": family, "train_loss": result.final_loss,
        "train_loss_first": result.losses[0] if result.losses else float("nan"),
        "holdout_loss_after": holdout_after, "steps": result.steps, "resumed_from_step": result.resumed_from_step,
        "train_seconds": round(result.seconds, 2), "median_step_seconds": round(result.median_step_s, 3),
        "peak_memory_mb": round(result.peak_memory_mb, 1), "device": result.device,
        "train_utterances": len(train_items), "holdout_utterances": len(holdout_items),
        "export_seconds": {name: round(export.seconds, 2) for name, export in exports.items()},
        "export_bytes": {name: export.size_bytes for name, export in exports.items()},
        "total_seconds": round(time.perf_counter() - started, 2),
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    ctx.progress(1.0, "done", message=f"fine-tune done: final loss {result.final_loss:.4f}, holdout loss "
                                      f"{holdout_after:.4f}", force=True)
    return FineTuneOutput(ctranslate2_dir=None, onnx_dir=exports["onnx"].path if "onnx" in exports else None,
                          huggingface_dir=hf_dir,
                          metrics=metrics, hyperparameters=hp.to_dict(),
                          export_formats=tuple(name for name in FAMILY_EXPORT_FORMATS
                                               if name == "huggingface" or name in exports))


def save_family_model(model, base_dir: Path, target: Path) -> Path:
    """The tuned model as a Hugging Face directory: safetensors weights + config + generation config, and every
    other file of the base directory (tokenizer, processor, chat template). Complete before it takes `target`."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(str(partial), safe_serialization=True)
    for item in Path(base_dir).iterdir():
        if item.is_file() and not item.name.endswith(_WEIGHT_SUFFIXES) and not (partial / item.name).exists():
            shutil.copy2(item, partial / item.name)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def family_fingerprint(base_dir: Path, hp: Hyperparameters, items: Sequence[Item], language: str) -> str:
    """Hash of everything that determines the trained weights (a checkpoint of another run is never resumed)."""
    digest = hashlib.sha256()
    digest.update(str(Path(base_dir).resolve()).encode())
    for weights in sorted(Path(base_dir).glob("*.safetensors")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(json.dumps(hp.to_dict(), sort_keys=True).encode())
    digest.update(language.encode())
    for samples, text in items:
        digest.update(text.encode())
        digest.update(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
    return digest.hexdigest()
