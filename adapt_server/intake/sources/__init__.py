"""Dataset sources: one module per source type, each a `Source` (base.py) registered here by name, as the
pipeline steps are in intake/steps/.

- `local` (local.py): a folder or file inside a --source-root, read in place;
- `s3` (s3.py): an S3 (or S3-compatible) prefix, each object streamed to a temporary folder.
"""
from __future__ import annotations

from adapt_server.errors import InvalidArgument, echo
from adapt_server.intake.sources.base import LocalFiles, Source, SourceAccess, SourceFile
from adapt_server.intake.sources.local import LocalSource
from adapt_server.intake.sources.s3 import S3Source

SOURCE_TYPES: dict[str, type[Source]] = {source.name: source for source in (LocalSource, S3Source)}

__all__ = ["SOURCE_TYPES", "LocalFiles", "Source", "SourceAccess", "SourceFile", "open_reader", "parse_source",
           "source_from_spec"]


def parse_source(index: int, raw: dict, access: SourceAccess) -> Source:
    """Validates sources[index] = {"type", "uri", "options"} against what the operator allows (`access`); raises
    a status error saying what to fix."""
    where = f"sources[{index}]"
    kind = raw.get("type")
    if not isinstance(kind, str) or not kind:
        raise InvalidArgument(f"{where}.type is required: one of {list(SOURCE_TYPES)}")
    if kind not in SOURCE_TYPES:
        raise InvalidArgument(f"{where}.type {echo(kind)} is not a source type; use one of {list(SOURCE_TYPES)}")
    return SOURCE_TYPES[kind].parse(where, raw.get("uri"), raw.get("options") or {}, access)


def source_from_spec(spec: dict) -> Source:
    """The stored spec of a validated source -> its Source."""
    return SOURCE_TYPES[spec["type"]].from_spec(spec)


def open_reader(spec: dict, access: SourceAccess):
    """A reader (options, files(), fetch()) for a stored source spec, checked again against what the operator
    allows now; an S3 source is listed here."""
    return source_from_spec(spec).reader(access)
