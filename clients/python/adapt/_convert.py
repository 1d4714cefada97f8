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
