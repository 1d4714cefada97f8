"""A catalogue record -> what the engine registry loads (engines know no catalogue records)."""
from __future__ import annotations

from pathlib import Path

from adapt_server.engines.registry import ModelSource
from adapt_server.store.models import ModelRecord

FINGERPRINT_CHARS = 16  # of the content hash: names the converted copy of a Hugging Face model


def model_source(record: ModelRecord) -> ModelSource:
    return ModelSource(model_id=record.id, path=Path(record.path), format=record.format, family=record.family,
                       fingerprint=record.sha256[:FINGERPRINT_CHARS], role=record.role)
