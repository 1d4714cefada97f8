"""Hugging Face Whisper directory -> CTranslate2 model, converted once into a cache directory.

The cache entry is named by a fingerprint of the source files (names, sizes, modification times; or the
caller's content hash), so a changed source converts again and an unchanged one never does. Conversion
writes to a temporary directory and publishes it with one rename, so concurrent converters (threads or
worker processes) never see a half-written model: the loser of the race discards its copy.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory

_COPIED_FILES = ("tokenizer.json", "preprocessor_config.json")


def source_fingerprint(model_dir: Path) -> str:
    """sha256 (first 16 hex digits) of every file's relative path, size and mtime under model_dir."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(model_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def ensure_ctranslate2(model_dir: Path, cache_dir: Path, fingerprint: str | None = None) -> Path:
    """The CTranslate2 directory for `model_dir`: itself when it already is one, else its conversion under
    cache_dir/ct2-<fingerprint> (converted now if absent, kept in float32 so compute types are chosen at
    load time). Raises ModelLoadError naming the directory and what is wrong."""
    try:
        info = inspect_model_directory(model_dir)
    except InvalidModelDirectory as exc:
        raise ModelLoadError(str(exc)) from None
    if info.format == "ctranslate2":
        return model_dir
    target = cache_dir / f"ct2-{fingerprint or source_fingerprint(model_dir)}"
    if (target / "model.bin").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=cache_dir))
    try:
        _convert(model_dir, staging / "model")
        try:
            os.rename(staging / "model", target)
        except OSError:
            if not (target / "model.bin").is_file():  # not a lost race: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert(model_dir: Path, output_dir: Path) -> None:
    from ctranslate2.converters import TransformersConverter

    copied = [name for name in _COPIED_FILES if (model_dir / name).is_file()]
    try:
        TransformersConverter(str(model_dir), copy_files=copied).convert(str(output_dir), quantization=None)
    except Exception as exc:  # the converter raises many types (OSError, ValueError, KeyError, torch errors)
        raise ModelLoadError(f"converting the Hugging Face Whisper model in {model_dir} to CTranslate2 failed: "
                             f"{type(exc).__name__}: {exc}") from exc
    if not (output_dir / "tokenizer.json").is_file():
        _write_tokenizer_json(model_dir, output_dir)


def _write_tokenizer_json(model_dir: Path, output_dir: Path) -> None:
    """tokenizer.json from vocab.json + merges.txt (a slow-tokenizer-only directory)."""
    from transformers import WhisperTokenizerFast

    try:
        WhisperTokenizerFast.from_pretrained(str(model_dir)).backend_tokenizer.save(str(output_dir / "tokenizer.json"))
    except Exception as exc:
        raise ModelLoadError(f"{model_dir} has no usable tokenizer (tokenizer.json, or vocab.json + merges.txt): "
                             f"{type(exc).__name__}: {exc}") from exc
