"""Job kinds and the functions that run them (imported lazily inside worker processes)."""
from __future__ import annotations

import importlib
from typing import Callable

# kind -> "module:function"; the function takes a JobContext and returns a short result message.
HANDLERS: dict[str, str] = {
    "dataset.ingest": "adapt_server.intake.ingest:run_ingest_job",
    "evaluation.run": "adapt_server.evaluation.job:run_evaluation_job",
    "fine_tune.run": "adapt_server.finetunes.job:run_fine_tune_job",
}


def resolve(kind: str) -> Callable:
    try:
        target = HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler for job kind {kind!r}; known: {sorted(HANDLERS)}") from None
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)
