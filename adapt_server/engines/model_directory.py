"""What a Whisper model directory holds, read from its files: its format, vocabulary and mel bins (the Whisper
engine, the converter, training and the model catalogue all ask).

Two formats are accepted:
- CTranslate2 Whisper: `model.bin` whose header names `WhisperSpec`, `config.json`, and `tokenizer.json`
  (or a vocabulary file);
- Hugging Face Whisper: `config.json` with `model_type: whisper`, weights (`model.safetensors`,
  `pytorch_model.bin` or a sharded index), and tokenizer files.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

ENGLISH_ONLY_VOCAB_SIZE = 51864  # Whisper's English-only vocabulary; multilingual models have more
MAX_CT2_SPEC_NAME = 256


class InvalidModelDirectory(ValueError):
    """The directory is not a usable Whisper model; the message says what is missing or wrong."""


@dataclass(frozen=True)
class ModelDirectory:
    path: Path
    format: str          # "ctranslate2" | "huggingface"
    family: str          # "whisper"
    multilingual: bool
    n_mels: int          # 80 or 128
    size_bytes: int


def inspect_model_directory(path: Path) -> ModelDirectory:
    """Validates a model directory and describes it; raises InvalidModelDirectory saying what is wrong."""
    if not path.is_dir():
        raise InvalidModelDirectory(f"{path} is not a directory; pass the folder that holds the model files")
    if (path / "model.bin").is_file():
        return _inspect_ctranslate2(path)
    if (path / "config.json").is_file():
        return _inspect_huggingface(path)
    raise InvalidModelDirectory(
        f"{path} holds neither a CTranslate2 model (model.bin + config.json) nor a Hugging Face model "
        "(config.json + weights)")


def _inspect_ctranslate2(path: Path) -> ModelDirectory:
    spec = _ct2_spec_name(path / "model.bin")
    if spec != "WhisperSpec":
        raise InvalidModelDirectory(f"{path}/model.bin is a CTranslate2 {spec!r} model, not a Whisper model")
    if not (path / "config.json").is_file():
        raise InvalidModelDirectory(f"{path} has model.bin but no config.json; copy the converter's config.json")
    _read_json(path / "config.json")
    vocab = _vocabulary_size(path)
    return ModelDirectory(path=path, format="ctranslate2", family="whisper",
                          multilingual=vocab > ENGLISH_ONLY_VOCAB_SIZE, n_mels=_n_mels(path),
                          size_bytes=_size(path))


def _inspect_huggingface(path: Path) -> ModelDirectory:
    config = _read_json(path / "config.json")
    if config.get("model_type") != "whisper":
        raise InvalidModelDirectory(f"{path}/config.json has model_type {config.get('model_type')!r}; "
                                    "only Whisper models (model_type 'whisper') are supported")
    weights = ["model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
               "pytorch_model.bin.index.json"]
    if not any((path / w).is_file() for w in weights):
        raise InvalidModelDirectory(f"{path} has no weights; expected one of {weights}")
    if not ((path / "tokenizer.json").is_file() or (path / "vocab.json").is_file()):
        raise InvalidModelDirectory(f"{path} has no tokenizer; expected tokenizer.json or vocab.json + merges.txt")
    vocab = int(config.get("vocab_size", ENGLISH_ONLY_VOCAB_SIZE))
    return ModelDirectory(path=path, format="huggingface", family="whisper",
                          multilingual=vocab > ENGLISH_ONLY_VOCAB_SIZE,
                          n_mels=int(config.get("num_mel_bins", 80)), size_bytes=_size(path))


def _ct2_spec_name(model_bin: Path) -> str:
    """Reads the header of a CTranslate2 model.bin: uint32 version, uint16 length, spec name."""
    with open(model_bin, "rb") as f:
        header = f.read(6 + MAX_CT2_SPEC_NAME)
    if len(header) < 6:
        raise InvalidModelDirectory(f"{model_bin} is truncated ({len(header)} bytes)")
    version, length = struct.unpack("<IH", header[:6])
    if not 1 <= version <= 100 or not 1 <= length <= MAX_CT2_SPEC_NAME or len(header) < 6 + length:
        raise InvalidModelDirectory(f"{model_bin} is not a CTranslate2 model file (bad header)")
    return header[6:6 + length].rstrip(b"\0").decode("ascii", "replace")


def _vocabulary_size(path: Path) -> int:
    if (path / "tokenizer.json").is_file():
        tokenizer = _read_json(path / "tokenizer.json")
        vocab = tokenizer.get("model", {}).get("vocab", {})
        return len(vocab) + len(tokenizer.get("added_tokens", []))
    for name in ("vocabulary.txt", "vocabulary.json"):
        if (path / name).is_file():
            text = (path / name).read_text(encoding="utf-8")
            return len(json.loads(text)) if name.endswith(".json") else len(text.splitlines())
    raise InvalidModelDirectory(f"{path} has no tokenizer.json or vocabulary file")


def _n_mels(path: Path) -> int:
    pre = path / "preprocessor_config.json"
    return int(_read_json(pre).get("feature_size", 80)) if pre.is_file() else 80


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidModelDirectory(f"{path} is not valid JSON: {exc}") from None


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
