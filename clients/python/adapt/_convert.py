"""Plain Python values (as in the docs) -> request messages, validated on the client side where the
message type cannot carry them (e.g. a non-string uri)."""
from __future__ import annotations

from google.protobuf import struct_pb2

from adapt.errors import InvalidArgumentError
from adapt.v1 import datasets_pb2


def to_struct(where: str, data: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    try:
        message.update(data)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidArgumentError(f"{where} must hold JSON values (strings, numbers, booleans, lists, "
                                   f"objects): {exc}") from None
    return message


def source(index: int, raw) -> datasets_pb2.Source:
    where = f"sources[{index}]"
    if not isinstance(raw, dict):
        raise InvalidArgumentError(f"{where} must be a dict like {{'type': 'local', 'uri': '/data/calls'}}, "
                                   f"got {type(raw).__name__}")
    extra = {k: v for k, v in raw.items() if k not in ("type", "uri", "options")}
    for key in ("type", "uri"):
        if key in raw and not isinstance(raw[key], str):
            raise InvalidArgumentError(f"{where}.{key} must be a string, got {type(raw[key]).__name__}")
    options = raw.get("options") or {}
    if not isinstance(options, dict):
        raise InvalidArgumentError(f"{where}.options must be a dict, got {type(options).__name__}")
    return datasets_pb2.Source(type=raw.get("type", ""), uri=raw.get("uri", ""),
                               options=to_struct(f"{where}.options", {**options, **extra}))


def step(index: int, raw) -> datasets_pb2.PipelineStep:
    where = f"pipeline[{index}]"
    if not isinstance(raw, dict):
        raise InvalidArgumentError(f"{where} must be a dict like {{'step': 'align', 'model': '...'}}")
    name = raw.get("step", "")
    if not isinstance(name, str):
        raise InvalidArgumentError(f"{where}.step must be a string, got {type(name).__name__}")
    params = {k: v for k, v in raw.items() if k != "step"}
    return datasets_pb2.PipelineStep(step=name, params=to_struct(where, params))


PROVENANCE_FIELDS = ("consent_basis", "jurisdictions", "collection_start", "collection_end", "document_sha256",
                     "document_uri", "notes")


def provenance(raw) -> datasets_pb2.DatasetProvenance:
    """{"consent_basis": ..., "jurisdictions": [...], ...} -> DatasetProvenance (the server checks the values)."""
    if not isinstance(raw, dict):
        raise InvalidArgumentError("provenance must be a dict like {'consent_basis': 'consent', 'jurisdictions': "
                                   "['US-CA'], 'collection_start': '2026-01-05', ...}")
    unknown = sorted(set(raw) - set(PROVENANCE_FIELDS))
    if unknown:
        raise InvalidArgumentError(f"provenance: unknown fields {unknown}; use {list(PROVENANCE_FIELDS)}")
    jurisdictions = raw.get("jurisdictions") or []
    if isinstance(jurisdictions, str) or not all(isinstance(j, str) for j in jurisdictions):
        raise InvalidArgumentError("provenance.jurisdictions must be a list of codes, e.g. ['US-CA', 'DE']")
    texts = {k: raw.get(k) or "" for k in PROVENANCE_FIELDS if k != "jurisdictions"}
    for key, value in texts.items():
        if not isinstance(value, str):
            raise InvalidArgumentError(f"provenance.{key} must be a string, got {type(value).__name__}")
    return datasets_pb2.DatasetProvenance(jurisdictions=list(jurisdictions), **texts)
