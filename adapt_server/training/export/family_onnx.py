"""ONNX export of a tuned transformers family: its teacher-forced forward pass (audio features + prompt/text ids ->
logits), `model.onnx` plus `onnx_inputs.json` (input names in order) and the tokenizer/processor files.

torch's dynamo exporter is tried first, then the TorchScript one; the export counts only when onnxruntime runs it
on an input of another length than the one it was traced with and agrees with torch (max |logit difference|
below ONNX_TOLERANCE). Measured on the tiny checkpoints (tests/server/training/test_family_finetune.py): voxtral
exports with dynamo; qwen3_asr fails torch.export (data-dependent chunking in its audio encoder) and its TorchScript
export bakes the chunk sizes in (onnxruntime fails on another length); cohere_asr fails both (its FastConformer
uses aten::diff, which no opset has, and dynamo cannot decompose it). For those, ExportError says so.
"""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import torch

from adapt_server.training.export.base import ExportError, ExportResult

ONNX_TOLERANCE = 1e-2  # max |logit| difference accepted between onnxruntime and torch (float32)
OPSET = 18
_COPIED_SUFFIXES = (".json", ".jinja", ".txt", ".model")


class _Forward(torch.nn.Module):
    def __init__(self, model, names: list[str]):
        super().__init__()
        self.model = model
        self.names = names

    def forward(self, *args):
        return self.model(**dict(zip(self.names, args)), use_cache=False).logits


def export_family_onnx(hf_dir: Path, target: Path, family: str) -> ExportResult:
    """Exports the Hugging Face directory `hf_dir` (a tuned family model) to target/ (replaced when present)."""
    from adapt_server.engines.transformers import load_transformers_recognizer
    from adapt_server.training.family_examples import build_examples, collate

    started = time.perf_counter()
    recognizer = load_transformers_recognizer("export", hf_dir, dtype="float32")
    model = recognizer.model.eval()
    rng = np.random.default_rng(0)
    samples = [[(rng.normal(0, 0.05, seconds * 16000).astype(np.float32), text)]
               for seconds, text in ((2, "the birch canoe"), (3, "glue the sheet to the dark blue background"))]
    traced, checked = [collate(family, build_examples(family, recognizer.codec.processor, recognizer.codec.tokenizer,
                                                     model.config, items, "en"), 0) for items in samples]
    for batch in (traced, checked):
        batch.pop("labels")
    names = list(traced)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    errors = []
    for exporter in (_dynamo, _torchscript):
        try:
            exporter(_Forward(model, names), traced, names, partial / "model.onnx")
            _check(partial / "model.onnx", _Forward(model, names), checked, names)
            break
        except Exception as exc:  # noqa: BLE001 - each exporter fails its own way; the message collects them
            first_line = re.sub(r"\x1b\[[0-9;]*m", "", str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            errors.append(f"{exporter.__name__.strip('_')}: {first_line[:200]}")
            (partial / "model.onnx").unlink(missing_ok=True)
    else:
        shutil.rmtree(partial, ignore_errors=True)
        raise ExportError(f"torch's ONNX exporters do not handle {family}: {'; '.join(errors)}; use the huggingface "
                          "export")
    (partial / "onnx_inputs.json").write_text(json.dumps({"inputs": names, "outputs": ["logits"]}) + "\n")
    for item in Path(hf_dir).iterdir():
        if item.is_file() and item.name.endswith(_COPIED_SUFFIXES) and not item.name.endswith(".index.json"):
            shutil.copy2(item, partial / item.name)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    size = sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
    return ExportResult(format="onnx", path=target, quantization="float32", seconds=time.perf_counter() - started,
                        size_bytes=size)


def _dynamo(module, batch: dict, names: list[str], path: Path) -> None:
    dims = {name: {0: torch.export.Dim.AUTO, 1: torch.export.Dim.AUTO} for name in names}
    with torch.no_grad():
        program = torch.onnx.export(module, tuple(batch[name] for name in names), dynamo=True, input_names=names,
                                    output_names=["logits"], opset_version=OPSET, external_data=False,
                                    dynamic_shapes=tuple(dims[name] for name in names))
    program.save(str(path))


def _torchscript(module, batch: dict, names: list[str], path: Path) -> None:
    axes = {name: {0: "batch", 1: f"{name}_length"} for name in names}
    if "input_features" in names and batch["input_features"].dim() == 3:
        axes["input_features"] = {0: "batch", 1: "features_1", 2: "features_2"}
    with torch.no_grad():
        torch.onnx.export(module, tuple(batch[name] for name in names), str(path), dynamo=False, input_names=names,
                          output_names=["logits"], opset_version=OPSET, dynamic_axes={**axes, "logits": {0: "batch",
                                                                                                       1: "length"}})


def _check(path: Path, module, batch: dict, names: list[str]) -> None:
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {name: batch[name].numpy() for name in names})[0]
    with torch.no_grad():
        expected = module(*(batch[name] for name in names)).numpy()
    if got.shape != expected.shape or not np.allclose(got, expected, atol=ONNX_TOLERANCE, rtol=0):
        difference = np.abs(got - expected).max() if got.shape == expected.shape else f"shape {got.shape}"
        raise ExportError(f"onnxruntime disagrees with torch on an input of another length ({difference})")
