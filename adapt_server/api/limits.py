"""Bounds on what a request may carry, checked on every unary request before its use case runs (issue 16,
defects 7 and 9), and the byte budget of a List page.

By field name, at the top level of every request message (so every resource gets the same rules):
- `labels`: at most MAX_LABELS entries; keys like Kubernetes label keys (an optional DNS-subdomain prefix and
  "/", then a name of 1-63 characters [A-Za-z0-9._-] that starts and ends alphanumeric), values empty or the
  same shape as a name;
- `name`: 1-256 characters without control characters (when given); `description` and `note`: 4,096 characters;
- `request_id`: 1-128 printable ASCII characters without spaces (when given);
- `id` and every `*_id`: at most 256 characters; `page_token`: at most 1,024.
Everywhere in the message: no NaN or infinity in a double/float field or inside a google.protobuf.Struct
(hyperparameters, source options, step params, gates, canary percent).
Every violation is INVALID_ARGUMENT naming the field.
"""
from __future__ import annotations

import math
import re

from google.protobuf import struct_pb2
from google.protobuf.descriptor import FieldDescriptor

from adapt_server.errors import InvalidArgument, echo

MAX_LABELS = 64
MAX_LABEL_NAME = 63
MAX_LABEL_PREFIX = 253
MAX_NAME = 256
MAX_DESCRIPTION = 4096
MAX_REQUEST_ID = 128
MAX_ID = 256
MAX_PAGE_TOKEN = 1024
PAGE_BYTE_BUDGET = 4 * 1024 * 1024  # a List page stops growing past this many bytes (the message limit is 64 MB)

_LABEL_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_REQUEST_ID = re.compile(r"[\x21-\x7e]{1,%d}" % MAX_REQUEST_ID)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FLOATS = (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT)


def check_request(request) -> None:
    """Raises InvalidArgument for the first field of `request` (a protobuf message) out of bounds."""
    fields = request.DESCRIPTOR.fields_by_name
    if "labels" in fields:
        check_labels(dict(request.labels))
    for name in ("description", "note"):
        if name in fields and fields[name].type == FieldDescriptor.TYPE_STRING:
            _check_length(name, getattr(request, name), MAX_DESCRIPTION)
    if "name" in fields and fields["name"].type == FieldDescriptor.TYPE_STRING and request.name:
        _check_length("name", request.name, MAX_NAME)
        if _CONTROL.search(request.name):
            raise InvalidArgument(f"name {echo(request.name)} contains a control character; use plain text")
    if "request_id" in fields and request.request_id and not _REQUEST_ID.fullmatch(request.request_id):
        raise InvalidArgument(f"request_id {echo(request.request_id)} must be 1-{MAX_REQUEST_ID} printable ASCII "
                              "characters without spaces (a UUID, for example)")
    for name, field in fields.items():
        if field.type != FieldDescriptor.TYPE_STRING or field.is_repeated:
            continue
        if name == "id" or name.endswith("_id"):
            _check_length(name, getattr(request, name), MAX_ID)
        elif name == "page_token":
            _check_length(name, getattr(request, name), MAX_PAGE_TOKEN)
    check_finite(request, "")


def check_labels(labels: dict[str, str]) -> None:
    if len(labels) > MAX_LABELS:
        raise InvalidArgument(f"labels has {len(labels)} entries; at most {MAX_LABELS} are allowed")
    for key, value in labels.items():
        prefix, slash, name = key.rpartition("/")
        if not _LABEL_NAME.fullmatch(name) or (slash and (len(prefix) > MAX_LABEL_PREFIX
                                                          or not _DNS_SUBDOMAIN.fullmatch(prefix))):
            raise InvalidArgument(
                f"labels key {echo(key)} is not valid: use [prefix/]name, the name 1-{MAX_LABEL_NAME} characters of "
                "A-Z, a-z, 0-9, '.', '_' or '-' starting and ending with a letter or digit (e.g. 'team', "
                "'example.com/owner')")
        if value and not _LABEL_NAME.fullmatch(value):
            raise InvalidArgument(
                f"labels[{echo(key)}] value {echo(value)} is not valid: use up to {MAX_LABEL_NAME} characters of "
                "A-Z, a-z, 0-9, '.', '_' or '-' starting and ending with a letter or digit (or an empty value)")


def check_finite(message, path: str) -> None:
    """NaN or infinity in any double/float field or Struct number of `message` -> InvalidArgument naming it."""
    if isinstance(message, struct_pb2.Struct):
        for key, value in message.fields.items():
            _check_value(value, f"{path}.{key}" if path else key)
        return
    if isinstance(message, struct_pb2.Value):
        _check_value(message, path)
        return
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        if field.type in _FLOATS:
            values = value if field.is_repeated else [value]
            for index, number in enumerate(values):
                if not math.isfinite(number):
                    at = f"{where}[{index}]" if field.is_repeated else where
                    raise InvalidArgument(f"{at} is {number}; send a finite number")
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                if field.message_type.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE:
                    for key, item in value.items():
                        check_finite(item, f"{where}[{key!r}]")
            elif field.is_repeated:
                for index, item in enumerate(value):
                    check_finite(item, f"{where}[{index}]")
            else:
                check_finite(value, where)


def _check_value(value: struct_pb2.Value, path: str) -> None:
    kind = value.WhichOneof("kind")
    if kind == "number_value" and not math.isfinite(value.number_value):
        raise InvalidArgument(f"{path} is {value.number_value}; JSON numbers must be finite")
    if kind == "struct_value":
        check_finite(value.struct_value, path)
    elif kind == "list_value":
        for index, item in enumerate(value.list_value.values):
            _check_value(item, f"{path}[{index}]")


def _check_length(name: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidArgument(f"{name} is {len(value)} characters long; at most {limit} are allowed")
