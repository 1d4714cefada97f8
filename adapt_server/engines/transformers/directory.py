"""Checks a Hugging Face model directory before anything loads it, and describes it for the catalogue (pure I/O
on the directory's files; no model is built).

`inspect_transformers_directory(path)` reads config.json (model_type among the supported families), checks that
the weights are present and readable (every safetensors file's header and its declared size), that a tokenizer
and the processor / feature-extractor files are there, and returns the family, languages, parameter count and
size. Errors say what to fix: `InvalidArgument` for a directory that is not one of the supported families,
`ModelLoadError` (FAILED_PRECONDITION) for a supported one that is incomplete or damaged.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.transformers.families import (
    ALIGNER_CLASS,
    FAMILIES,
    QWEN3_ALIGNER_LANGUAGES,
    SUPPORTED_MODEL_TYPES,
    Family,
    is_forced_aligner,
)
from adapt_server.errors import InvalidArgument

TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "tokenizer.model", "tekken.json")
_SAFETENSORS_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1,
                            "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}
_MAX_HEADER_BYTES = 100 * 2**20


class UnsupportedModelType(InvalidArgument):
    """config.json names a model_type this backend does not serve; the message lists the supported ones."""


@dataclass(frozen=True)
class TransformersDirectory:
    """What a valid directory holds (reported when a model is registered)."""

    path: Path
    family: str  # model_type: "qwen3_asr" | "voxtral" | "voxtral_realtime" | "cohere_asr" | "whisper"
    role: str  # "recognizer" | "aligner" (Qwen3-ForcedAligner)
    architecture: str  # the transformers class named in config.json (or the family's default)
    languages: tuple[str, ...]  # language codes it transcribes (or times, for the aligner)
    parameters: int  # number of weights (from the safetensors headers)
    size_bytes: int  # bytes of every file in the directory
    weight_files: tuple[str, ...]  # safetensors file names
    dtype: str  # the weights' stored dtype, e.g. "F32", "BF16"

    @property
    def family_info(self) -> Family:
        return FAMILIES[self.family]


def read_config(path: Path) -> dict:
    """config.json of `path` as a dict; ModelLoadError naming the problem when absent or not JSON."""
    config_path = Path(path) / "config.json"
    if not Path(path).is_dir():
        raise ModelLoadError(f"{path} is not a directory; register the folder that holds config.json and the weights")
    if not config_path.is_file():
        raise ModelLoadError(f"{path} has no config.json; a Hugging Face model directory needs config.json, the "
                             "weights (*.safetensors) and the tokenizer/processor files")
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{config_path} is not readable JSON ({exc}); copy the file again from the model's "
                             "source") from None
    if not isinstance(config, dict):
        raise ModelLoadError(f"{config_path} must hold a JSON object")
    return config


def inspect_transformers_directory(path: Path) -> TransformersDirectory:
    """Validates `path` and describes it; see the module docstring for the errors."""
    path = Path(path)
    config = read_config(path)
    model_type = config.get("model_type")
    if model_type is None:
        raise UnsupportedModelType(f"{path}: config.json has no model_type, so it is not a Hugging Face transformers "
                                   f"model (a CTranslate2 Whisper directory has model.bin); supported families: "
                                   f"{', '.join(SUPPORTED_MODEL_TYPES)}")
    if model_type not in FAMILIES:
        raise UnsupportedModelType(
            f"{path}: config.json has model_type {model_type!r}, which Adapt does not serve; supported families: "
            f"{', '.join(SUPPORTED_MODEL_TYPES)} (Qwen3-ASR and its forced aligner, Voxtral, Voxtral Realtime, "
            "Cohere Transcribe, Whisper)")
    family = FAMILIES[model_type]
    aligner = is_forced_aligner(config)
    architectures = config.get("architectures") or [family.model_class]
    weight_files, parameters, dtype = _check_weights(path)
    _check_tokenizer_and_processor(path, family)
    languages = _languages(path, family, config, aligner)
    size = sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return TransformersDirectory(path=path, family=model_type, role="aligner" if aligner else "recognizer",
                                 architecture=ALIGNER_CLASS if aligner else str(architectures[0]), languages=languages,
                                 parameters=parameters, size_bytes=size, weight_files=weight_files, dtype=dtype)


def check_weights(path: Path) -> tuple[tuple[str, ...], int, str]:
    """(safetensors file names, number of weights, dtypes) of a directory's weights, reading only their headers;
    ModelLoadError when none is there or one is truncated/damaged."""
    return _check_weights(path)


def _check_weights(path: Path) -> tuple[tuple[str, ...], int, str]:
    files = sorted(path.glob("*.safetensors"))
    if not files:
        legacy = sorted(item.name for item in path.glob("*.bin"))
        hint = (f" (found {', '.join(legacy)}: PyTorch pickles are not loaded; convert them with "
                "save_pretrained(..., safe_serialization=True))") if legacy else ""
        raise ModelLoadError(f"{path} has no weights: no *.safetensors file{hint}")
    index = path / "model.safetensors.index.json"
    if index.is_file():
        try:
            shards = set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"{index} is damaged ({exc}); copy it again") from None
        missing = sorted(shard for shard in shards if not (path / shard).is_file())
        if missing:
            raise ModelLoadError(f"{path} is missing weight shards {missing} listed in {index.name}; copy them")
    parameters, dtypes = 0, set()
    for file in files:
        count, file_dtypes = _safetensors_parameters(file)
        parameters += count
        dtypes |= file_dtypes
    return tuple(file.name for file in files), parameters, "/".join(sorted(dtypes)) or "unknown"


def _safetensors_parameters(file: Path) -> tuple[int, set[str]]:
    """(number of weights, dtypes) from a safetensors header; ModelLoadError when the file is truncated/damaged."""
    size = file.stat().st_size
    try:
        with open(file, "rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise ValueError("shorter than its 8-byte header length")
            header_length = struct.unpack("<Q", prefix)[0]
            if header_length > min(_MAX_HEADER_BYTES, size - 8):
                raise ValueError(f"its header claims {header_length} bytes but the file has {size}")
            header = json.loads(handle.read(header_length))
        end = 0
        parameters, dtypes = 0, set()
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            begin, stop = entry["data_offsets"]
            end = max(end, stop)
            count = 1
            for dimension in entry["shape"]:
                count *= int(dimension)
            parameters += count
            dtypes.add(str(entry["dtype"]))
        if 8 + header_length + end > size:
            raise ValueError(f"its tensors need {8 + header_length + end} bytes but the file has {size} (truncated)")
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ModelLoadError(f"weights file {file} is not a readable safetensors file: {exc}; copy it again from "
                             "the model's source") from None
    return parameters, dtypes


def _check_tokenizer_and_processor(path: Path, family: Family) -> None:
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise ModelLoadError(f"{path} has no tokenizer ({' or '.join(TOKENIZER_FILES)}); copy the tokenizer files "
                             f"that came with the {family.display_name} model into the directory")
    if not any((path / name).is_file() for name in family.processor_files):
        raise ModelLoadError(f"{path} has no processor/feature-extractor file ({' or '.join(family.processor_files)}); "
                             f"copy the processor files that came with the {family.display_name} model")


def _languages(path: Path, family: Family, config: dict, aligner: bool) -> tuple[str, ...]:
    if aligner:
        return QWEN3_ALIGNER_LANGUAGES
    if family.model_type != "whisper":
        return family.languages
    generation = path / "generation_config.json"
    try:
        data = json.loads(generation.read_text(encoding="utf-8")) if generation.is_file() else {}
    except (OSError, ValueError):
        data = {}
    codes = tuple(token.strip("<|>") for token in (data.get("lang_to_id") or {}))
    if codes:
        return codes
    return ("en",) if not data.get("is_multilingual", config.get("vocab_size", 0) >= 51865) else ()
