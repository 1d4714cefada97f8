"""Pipeline steps a dataset may ask for, validated when the dataset is created.

Each step is {"step": NAME, ...params}. This server version knows no steps yet (the intake-pipeline issue
adds vad, diarize, align, redact and split); an unknown step is refused with INVALID_ARGUMENT naming it,
before any work starts.
"""
from __future__ import annotations

from adapt_server.errors import InvalidArgument

KNOWN_STEPS: dict[str, frozenset[str]] = {}  # step name -> allowed parameter names


def validate_pipeline(steps: list[dict]) -> list[dict]:
    """Returns the normalized steps ({"step": name, "params": {...}}) or raises InvalidArgument."""
    normalized = []
    for i, step in enumerate(steps):
        name = step.get("step")
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"pipeline[{i}].step is required (a step name)")
        if name not in KNOWN_STEPS:
            known = ", ".join(sorted(KNOWN_STEPS)) or "none yet"
            raise InvalidArgument(f"pipeline[{i}]: unknown step {name!r}; this server knows: {known}")
        params = step.get("params") or {}
        unknown = sorted(set(params) - KNOWN_STEPS[name])
        if unknown:
            raise InvalidArgument(f"pipeline[{i}] ({name}): unknown parameters {unknown}; "
                                  f"allowed: {sorted(KNOWN_STEPS[name])}")
        normalized.append({"step": name, "params": params})
    return normalized
