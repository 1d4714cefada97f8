"""Which function runs a job of a kind. The server names them (server.JOB_HANDLERS: kind -> "module:function",
strings, so worker processes receive them pickled and import a handler, with its heavy libraries, only when
they first run its kind); the job runtime knows no domain package."""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def resolve(handlers: Mapping[str, str], kind: str) -> Callable:
    """The handler of `kind`: a function taking a JobContext and returning a short result message."""
    try:
        target = handlers[kind]
    except KeyError:
        raise LookupError(f"no handler for job kind {kind!r}; known: {sorted(handlers)}") from None
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)
