"""The source interface: what every source type validates at create time and how the ingest reads it, plus the
values sources hand the ingest.

A source type is a frozen dataclass (the validated source, stored in the dataset's spec) with
- `name` and `parse(where, uri, options, access)` (create-time validation; raises a status error saying what
  to fix), `to_spec()` / `from_spec(spec)` (the stored form);
- `require_audio(where)`: create-time check that the source holds at least one audio file;
- `reader(access)`: what the ingest job reads (`files()` once, then `fetch(file, tmp_parent)` per file, a
  context manager yielding the file and its sidecars as `LocalFiles` on this machine).
`access` (SourceAccess) is what the operator allows: the source roots, and the S3 endpoints and profiles.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

from adapt_server.errors import InvalidArgument, echo

AUDIO_EXTENSIONS = frozenset({
    ".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".mp4", ".aac", ".sph", ".nist", ".webm",
    ".wma", ".aif", ".aiff", ".au", ".amr", ".mka", ".caf", ".wv",
})
CHANNEL_MODES = ("downmix", "split")
LOOKED_FOR = ".wav, .flac, .mp3, .ogg, .opus, .m4a, .sph, ..."  # the extensions messages name


@dataclass(frozen=True)
class SourceAccess:
    """What sources may reach, as the operator started the server (never from a request)."""
    roots: tuple[Path, ...] = ()         # --source-root: local sources resolve inside one of these
    s3_endpoints: tuple[str, ...] = ()   # --s3-endpoint: S3 endpoints a source may use; the first is the default
    s3_profiles: tuple[str, ...] = ()    # --s3-profile: AWS profiles of the server a source may name

    @classmethod
    def from_config(cls, config) -> "SourceAccess":
        """From a ServerConfig (source_roots, s3_endpoints, s3_profiles)."""
        return cls(roots=tuple(config.source_roots), s3_endpoints=tuple(config.s3_endpoints),
                   s3_profiles=tuple(config.s3_profiles))


@dataclass(frozen=True)
class SourceOptions:
    channels: str = "downmix"   # "split": one recording per channel (stereo call centers)
    recursive: bool = True      # walk sub-folders


@dataclass(frozen=True)
class SourceFile:
    """One audio file of a source, as listed: `uri` names it in recordings and file issues."""
    uri: str                   # a local path, or s3://bucket/key
    problem: str | None = None # why it is skipped (e.g. a symlink out of the roots), None when usable


@dataclass(frozen=True)
class LocalFiles:
    """An audio file and its sidecars on this machine (for S3: temporary downloads)."""
    audio: Path | BinaryIO     # a path, or the audio file already opened (local sources: see paths.open_confined)
    transcript: Path | None    # call.json / .srt / .vtt / .txt
    rttm: Path | None          # call.rttm
    transcript_uri: str = ""   # how issues name the sidecars (the S3 uri; "" = the local path)
    rttm_uri: str = ""
    roots: tuple[Path, ...] | None = None  # sidecars must be read from inside these (None: our own downloads)

    def name_of(self, path: Path) -> str:
        """The user-facing name of one of these files (never a temporary download path)."""
        if path == self.transcript and self.transcript_uri:
            return self.transcript_uri
        if path == self.rttm and self.rttm_uri:
            return self.rttm_uri
        return str(path)


class Source:
    """Base class of source types (see the module docstring)."""
    name: ClassVar[str] = ""

    @classmethod
    def parse(cls, where: str, uri, options: dict, access: SourceAccess) -> "Source":
        raise NotImplementedError

    @classmethod
    def from_spec(cls, spec: dict) -> "Source":
        raise NotImplementedError

    def to_spec(self) -> dict:
        raise NotImplementedError

    def require_audio(self, where: str) -> None:
        raise NotImplementedError

    def reader(self, access: SourceAccess):
        raise NotImplementedError


def is_audio_file(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_EXTENSIONS


def parse_options(where: str, options: dict) -> SourceOptions:
    """The options every source type takes (channels, recursive); unknown keys are refused."""
    if not isinstance(options, dict):
        raise InvalidArgument(f"{where}.options must be an object, got {type(options).__name__}")
    unknown = sorted(set(options) - {"channels", "recursive"})
    if unknown and set(unknown) & {"endpoint_url", "region", "profile", "anonymous"}:
        raise InvalidArgument(f"{where}.options {echo(unknown)} apply to s3 sources only; a local source knows "
                              "['channels', 'recursive']")
    if unknown:
        raise InvalidArgument(f"{where}.options has unknown keys {echo(unknown)}; known: ['channels', 'recursive']")
    channels = options.get("channels", "downmix")
    if channels not in CHANNEL_MODES:
        raise InvalidArgument(f"{where}.options.channels must be one of {list(CHANNEL_MODES)}, got {echo(channels)}")
    recursive = options.get("recursive", True)
    if not isinstance(recursive, bool):
        raise InvalidArgument(f"{where}.options.recursive must be true or false, got {echo(recursive)}")
    return SourceOptions(channels=channels, recursive=recursive)
