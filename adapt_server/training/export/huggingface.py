"""Hugging Face export: `save_pretrained` of the model, its generation config and the tokenizer."""
from __future__ import annotations

import shutil
from pathlib import Path

import torch

from adapt_server.training.export.base import ExportError, Exporter

HF_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def save_huggingface(model, tokenizer, target: Path) -> Path:
    """Writes model (safetensors), config, generation config and tokenizer files into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(target), safe_serialization=True)
    tokenizer.save_pretrained(str(target))
    return target


class HuggingfaceExporter(Exporter):
    """Copies a Hugging Face Whisper directory, its weights cast to `quantization` (float32/float16/bfloat16)."""

    format = "huggingface"

    def load(self, source: Path):
        from transformers import WhisperForConditionalGeneration
        return WhisperForConditionalGeneration.from_pretrained(str(source), local_files_only=True,
                                                               dtype=torch.float32)

    def validate(self, loaded) -> None:
        if self.quantization not in HF_DTYPES:
            raise ExportError(f"Hugging Face export supports {', '.join(HF_DTYPES)}; got {self.quantization!r}")
        if loaded.config.model_type != "whisper":
            raise ExportError(f"not a Whisper model: model_type {loaded.config.model_type!r}")

    def quantize(self, loaded):
        return loaded.to(HF_DTYPES[self.quantization])

    def save(self, quantized, source: Path, target: Path) -> None:
        quantized.save_pretrained(str(target), safe_serialization=True)
        for name in source.iterdir():
            if name.is_file() and not (target / name.name).exists() and not name.name.endswith(
                    (".safetensors", ".bin", ".index.json")):
                shutil.copy2(name, target / name.name)
