"""CTranslate2 export through `ctranslate2.converters.TransformersConverter` (bit-exact in float32).

The result is a directory `engines/model_directory.py` accepts and `WhisperEngine` loads: model.bin, config.json
(suppress ids, alignment heads) and tokenizer.json. Serving featurizes with the same numba log-mel as
training (audio padded with zeros), so the exported model sees the features it was tuned on.
"""
from __future__ import annotations

from pathlib import Path

from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory
from adapt_server.training.export.base import ExportError, Exporter

CT2_QUANTIZATIONS = ("int8", "int8_float16", "int8_float32", "int16", "float16", "bfloat16", "float32")
COPIED_FILES = ("tokenizer.json", "preprocessor_config.json")


class Ctranslate2Exporter(Exporter):
    format = "ctranslate2"

    def load(self, source: Path) -> Path:
        return source  # the converter loads the Hugging Face directory itself

    def validate(self, loaded: Path) -> None:
        if self.quantization not in CT2_QUANTIZATIONS:
            raise ExportError(f"CTranslate2 export supports {', '.join(CT2_QUANTIZATIONS)}; "
                              f"got {self.quantization!r}")
        try:
            described = inspect_model_directory(loaded)
        except InvalidModelDirectory as exc:
            raise ExportError(str(exc)) from None
        if described.format != "huggingface":
            raise ExportError(f"{loaded} is a {described.format} directory; export starts from a Hugging Face one")
        if not (loaded / "tokenizer.json").is_file():
            raise ExportError(f"{loaded} has no tokenizer.json, which the CTranslate2 model needs")

    def save(self, quantized: Path, source: Path, target: Path) -> None:
        import ctranslate2
        copy = [name for name in COPIED_FILES if (source / name).is_file()]
        converter = ctranslate2.converters.TransformersConverter(str(source), copy_files=copy, load_as_float16=False)
        target.rmdir()  # the converter creates the directory itself
        converter.convert(str(target), quantization=self.quantization, force=False)
        try:
            inspect_model_directory(target)
        except InvalidModelDirectory as exc:
            raise ExportError(f"the converted model is not loadable: {exc}") from None
