"""Local folders (or single files) as dataset sources: {"type": "local", "uri": "/data/calls", "options": {...}}.

The uri must resolve inside a --source-root (adapt_server/paths.py: `../../etc` or a symlink pointing out of
the roots is PERMISSION_DENIED). Files are read in place during ingest (no copy); each takes the sidecar
transcript and RTTM next to it (intake/transcripts.py). The audio file and its sidecars are opened with
`paths.open_confined` (no FIFO, no device, no link leading out of the roots, checked on the opened handle), so
what the listing saw cannot be swapped for a link to a secret before the read.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterator

from adapt_server.errors import InvalidArgument
from adapt_server.intake.sources.base import (LOOKED_FOR, LocalFiles, Source, SourceAccess, SourceFile, SourceOptions,
                                              is_audio_file, parse_options)
from adapt_server.intake.transcripts import find_rttm, find_sidecar
from adapt_server.paths import is_within, open_confined, resolve_local_path


@dataclass(frozen=True)
class LocalSource(Source):
    name: ClassVar[str] = "local"
    uri: str                    # as the user wrote it
    path: Path                  # resolved, inside a source root
    options: SourceOptions

    @classmethod
    def parse(cls, where: str, uri, options: dict, access: SourceAccess) -> "LocalSource":
        if not isinstance(uri, str) or not uri.strip():
            raise InvalidArgument(f"{where}.uri is required: a path or file:// URI inside a --source-root")
        parsed_options = parse_options(where, options)
        return cls(uri=uri, path=resolve_local_path(where, uri, access.roots), options=parsed_options)

    def to_spec(self) -> dict:
        return {"type": "local", "uri": self.uri, "path": str(self.path),
                "options": {"channels": self.options.channels, "recursive": self.options.recursive}}

    @classmethod
    def from_spec(cls, spec: dict) -> "LocalSource":
        return cls(uri=spec["uri"], path=Path(spec["path"]), options=SourceOptions(**spec["options"]))

    def require_audio(self, where: str) -> None:
        if not has_audio(self):
            raise InvalidArgument(f"{where}: {self.path} holds no audio files (looked for {LOOKED_FOR}); "
                                  "check the folder")

    def reader(self, access: SourceAccess) -> "LocalReader":
        return LocalReader(self, access.roots)


def local_files(path: Path, roots: tuple[Path, ...] | None = None) -> LocalFiles:
    """The audio file at `path` (not opened) and its sidecars, to be read from inside `roots`."""
    return LocalFiles(audio=path, transcript=find_sidecar(path), rttm=find_rttm(path), roots=roots)


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
        """The file opened for reading (RefusedFile, an OSError, when it is no longer a regular file inside the
        roots) and its sidecars; the file is closed on exit."""
        path = Path(file.uri)
        with open_confined(path, self.roots) as audio:
            yield dataclasses.replace(local_files(path, self.roots), audio=audio)
