"""The export template: load the tuned Hugging Face directory, validate it, quantize, save atomically.

Subclasses implement `load`, `validate`, `quantize` and `save` (CTranslate2's converters follow the same
shape). `export` writes into `<target>.partial`, moves it to `target` only when complete, and refuses to
replace an existing target unless `force` (then the old one is removed only after the new one is complete).
"""
from __future__ import annotations

import shutil
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapt_server.errors import AlreadyExists, FailedPrecondition


class ExportError(FailedPrecondition):
    """The source cannot be exported in this format; the message says why."""


@dataclass(frozen=True)
class ExportResult:
    format: str  # "huggingface" | "ctranslate2" | "onnx"
    path: Path  # the complete export directory
    quantization: str  # e.g. "float32", "int8", "float16"
    seconds: float  # wall time of the export
    size_bytes: int


class Exporter(ABC):
    """load -> validate -> quantize -> save; see the module docstring."""

    format: str = ""

    def __init__(self, quantization: str = "float32"):
        self.quantization = quantization

    def export(self, source: Path, target: Path, *, force: bool = False) -> ExportResult:
        """Exports the Hugging Face Whisper directory `source` to `target` (a new directory)."""
        started = time.perf_counter()
        source, target = Path(source), Path(target)
        if target.exists() and not force:
            raise AlreadyExists(f"{target} already exists; pass force=True to replace it")
        loaded = self.load(source)
        self.validate(loaded)
        quantized = self.quantize(loaded)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        try:
            self.save(quantized, source, partial)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        if target.exists():
            shutil.rmtree(target)
        partial.rename(target)
        size = sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
        return ExportResult(format=self.format, path=target, quantization=self.quantization,
                            seconds=time.perf_counter() - started, size_bytes=size)

    @abstractmethod
    def load(self, source: Path) -> Any:
        """What the format is made from (a torch model, or the source path itself)."""

    def validate(self, loaded: Any) -> None:
        """Raises ExportError when `loaded` cannot be exported in this format."""

    def quantize(self, loaded: Any) -> Any:
        """The loaded object in `self.quantization` (formats that quantize while saving return it as is)."""
        return loaded

    @abstractmethod
    def save(self, quantized: Any, source: Path, target: Path) -> None:
        """Writes the export into the empty directory `target`."""
