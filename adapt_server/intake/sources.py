"""Audio sources: validate a source spec, list its audio files, hand each one to the ingest as local files.

Two kinds: local folders (below) and S3 buckets (`adapt_server.intake.s3`, `s3_reader`).

A local uri is an absolute path, a file:// URI, or (with exactly one source root) a path relative to that
root. After resolving symlinks it must lie inside a source root (adapt_server/paths.py); `../../etc` or a
symlink pointing out of the root is refused with PERMISSION_DENIED.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from adapt_server.errors import InvalidArgument
from adapt_server.intake.transcripts import find_rttm, find_sidecar
from adapt_server.paths import is_within, resolve_local_path

AUDIO_EXTENSIONS = frozenset({
    ".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".sph", ".nist", ".webm",
    ".wma", ".aif", ".aiff", ".au", ".amr", ".mka", ".caf", ".wv",
})
CHANNEL_MODES = ("downmix", "split")
SOURCE_TYPES = ("local", "s3")


@dataclass(frozen=True)
class SourceOptions:
    channels: str = "downmix"   # "split": one recording per channel (stereo call centers)
    recursive: bool = True      # walk sub-folders


@dataclass(frozen=True)
class LocalSource:
    uri: str                    # as the user wrote it
    path: Path                  # resolved, inside a source root
    options: SourceOptions

    def to_spec(self) -> dict:
        return {"type": "local", "uri": self.uri, "path": str(self.path),
                "options": {"channels": self.options.channels, "recursive": self.options.recursive}}

    @classmethod
    def from_spec(cls, spec: dict) -> "LocalSource":
        return cls(uri=spec["uri"], path=Path(spec["path"]), options=SourceOptions(**spec["options"]))


@dataclass(frozen=True)
class SourceFile:
    """One audio file of a source, as listed: `uri` names it in recordings and file issues."""
    uri: str                   # a local path, or s3://bucket/key
    problem: str | None = None # why it is skipped (e.g. a symlink out of the roots), None when usable


@dataclass(frozen=True)
class LocalFiles:
    """An audio file and its sidecars on this machine (for S3: temporary downloads)."""
    audio: Path
    transcript: Path | None    # call.json / .srt / .vtt / .txt
    rttm: Path | None          # call.rttm
    transcript_uri: str = ""   # how issues name the sidecars (the S3 uri; "" = the local path)
    rttm_uri: str = ""

    def name_of(self, path: Path) -> str:
        """The user-facing name of one of these files (never a temporary download path)."""
        if path == self.transcript and self.transcript_uri:
            return self.transcript_uri
        if path == self.rttm and self.rttm_uri:
            return self.rttm_uri
        return str(path)


def source_from_spec(spec: dict):
    """The stored spec of a validated source -> LocalSource or S3Source."""
    if spec["type"] == "s3":
        from adapt_server.intake.s3 import S3Source
        return S3Source.from_spec(spec)
    return LocalSource.from_spec(spec)


def local_files(path: Path) -> LocalFiles:
    return LocalFiles(audio=path, transcript=find_sidecar(path), rttm=find_rttm(path))


def parse_source(index: int, raw: dict, roots: tuple[Path, ...]):
    """Validates sources[index] = {"type", "uri", "options"}; raises a status error saying what to fix."""
    where = f"sources[{index}]"
    kind, uri = raw.get("type"), raw.get("uri")
    if not isinstance(kind, str) or not kind:
        raise InvalidArgument(f"{where}.type is required: one of {list(SOURCE_TYPES)}")
    if kind not in SOURCE_TYPES:
        raise InvalidArgument(f"{where}.type {kind!r} is not a source type; use one of {list(SOURCE_TYPES)}")
    if kind == "s3":
        from adapt_server.intake.s3 import parse_s3_source
        return parse_s3_source(where, uri, raw.get("options") or {}, _parse_options)
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidArgument(f"{where}.uri is required: a path or file:// URI inside a --source-root")
    options = _parse_options(where, raw.get("options") or {})
    return LocalSource(uri=uri, path=resolve_local_path(where, uri, roots), options=options)


def _parse_options(where: str, options: dict) -> SourceOptions:
    if not isinstance(options, dict):
        raise InvalidArgument(f"{where}.options must be an object, got {type(options).__name__}")
    unknown = sorted(set(options) - {"channels", "recursive"})
    if unknown and set(unknown) & {"endpoint_url", "region", "profile", "anonymous"}:
        raise InvalidArgument(f"{where}.options {unknown} apply to s3 sources only; a local source knows "
                              "['channels', 'recursive']")
    if unknown:
        raise InvalidArgument(f"{where}.options has unknown keys {unknown}; known: ['channels', 'recursive']")
    channels = options.get("channels", "downmix")
    if channels not in CHANNEL_MODES:
        raise InvalidArgument(f"{where}.options.channels must be one of {list(CHANNEL_MODES)}, got {channels!r}")
    recursive = options.get("recursive", True)
    if not isinstance(recursive, bool):
        raise InvalidArgument(f"{where}.options.recursive must be true or false, got {recursive!r}")
    return SourceOptions(channels=channels, recursive=recursive)


def is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS


def iter_audio_files(source: LocalSource, roots: tuple[Path, ...]) -> Iterator[tuple[Path, str | None]]:
    """Yields (path, problem) for every audio file of the source, sorted; problem is None for a usable
    file, or the reason it is skipped (e.g. a symlink that leads outside the source roots)."""
    if source.path.is_file():
        yield source.path, None
        return
    walker = source.path.rglob("*") if source.options.recursive else source.path.glob("*")
    for path in sorted(p for p in walker if is_audio_file(p)):
        real = Path(os.path.realpath(path))
        if not any(is_within(real, root) for root in roots):
            yield path, f"a symlink to {real}, outside every source root; skipped"
        elif real.is_file():
            yield path, None


def has_audio(source: LocalSource) -> bool:
    """True when the source holds at least one audio file (stops at the first)."""
    if source.path.is_file():
        return True
    walker = source.path.rglob("*") if source.options.recursive else source.path.glob("*")
    return any(is_audio_file(p) for p in walker)


class LocalReader:
    """Reads a local source during ingest: files are used in place (no copy)."""

    def __init__(self, source: LocalSource, roots: tuple[Path, ...]):
        self.source = source
        self.roots = roots

    @property
    def options(self) -> SourceOptions:
        return self.source.options

    def files(self) -> list[SourceFile]:
        return [SourceFile(str(path), problem) for path, problem in iter_audio_files(self.source, self.roots)]

    @contextlib.contextmanager
    def fetch(self, file: SourceFile, tmp_parent: Path) -> Iterator[LocalFiles]:
        yield local_files(Path(file.uri))


def open_reader(spec: dict, roots: tuple[Path, ...]):
    """A reader (files() + fetch()) for a stored source spec; an S3 source is listed here."""
    source = source_from_spec(spec)
    if spec["type"] == "s3":
        from adapt_server.intake.s3_reader import S3Reader
        return S3Reader(source)
    return LocalReader(source, roots)
