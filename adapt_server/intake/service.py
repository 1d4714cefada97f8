"""Dataset use cases (create, get, list, cancel, delete); called by the API layer, free of gRPC."""
from __future__ import annotations

import hashlib
import json

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound
from adapt_server.intake.pipeline import validate_pipeline
from adapt_server.intake.s3 import S3Source
from adapt_server.intake.sources import has_audio, parse_source
from adapt_server.intake.steps.base import ValidationEnv
from adapt_server.store.store import Store
from adapt_server.store.datasets import DatasetRecord
from adapt_server.store.pages import decode_token, page_size

MAX_NAME_LENGTH = 200
MAX_SOURCES = 100


class DatasetService:
    def __init__(self, config: ServerConfig, store: Store):
        self.config = config
        self.store = store

    def create(self, name: str, sources: list[dict], pipeline: list[dict], labels: dict[str, str],
               request_id: str) -> DatasetRecord:
        """Validates everything up front, then stores the dataset and its PENDING ingest job atomically."""
        name = name.strip()
        if not name:
            raise InvalidArgument("name is required (e.g. 'contact-center-2026q2')")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidArgument(f"name is {len(name)} characters; the limit is {MAX_NAME_LENGTH}")
        if not sources:
            raise InvalidArgument("sources is empty; give at least one, e.g. "
                                  "{'type': 'local', 'uri': '/data/calls'}")
        if len(sources) > MAX_SOURCES:
            raise InvalidArgument(f"{len(sources)} sources; the limit is {MAX_SOURCES}")
        for i, raw in enumerate(sources):
            if not isinstance(raw, dict):
                raise InvalidArgument(f"sources[{i}] must be an object like {{'type': 'local', 'uri': ...}}")
        steps = validate_pipeline(pipeline, ValidationEnv(models=self._models()))  # cheap checks first
        parsed = [parse_source(i, s, self.config.source_roots) for i, s in enumerate(sources)]
        for i, source in enumerate(parsed):
            if isinstance(source, S3Source):
                from adapt_server.intake.s3_reader import s3_has_audio
                if not s3_has_audio(source):  # also checks the bucket exists and the credentials work
                    raise InvalidArgument(f"sources[{i}]: {source.uri} holds no audio objects (looked for "
                                          ".wav, .flac, .mp3, .ogg, .opus, .m4a, .sph, ...); check the prefix")
            elif not has_audio(source):
                raise InvalidArgument(f"sources[{i}]: {source.path} holds no audio files (looked for "
                                      ".wav, .flac, .mp3, .ogg, .opus, .m4a, .sph, ...); check the folder")
        spec = {"sources": [s.to_spec() for s in parsed], "pipeline": steps, "labels": dict(labels)}
        request_hash = hashlib.sha256(json.dumps({"name": name, "sources": sources, "pipeline": pipeline,
                                                  "labels": labels}, sort_keys=True).encode()).hexdigest()
        record, _ = self.store.datasets.create(name, spec, request_id or None, request_hash,
                                               self.config.max_job_attempts)
        return record

    def _models(self):
        from adapt_server.engines.service import ModelService
        return ModelService(self.config, self.store)

    def get(self, dataset_id: str) -> DatasetRecord:
        record = self.store.datasets.get(dataset_id) if dataset_id else None
        if record is None:
            raise NotFound(f"dataset {dataset_id!r} does not exist; list datasets to see the ids")
        return record

    def list(self, requested_size: int, token: str) -> tuple[list[DatasetRecord], str]:
        return self.store.datasets.list_page(page_size(requested_size), decode_token(token))

    def cancel(self, dataset_id: str) -> DatasetRecord:
        record = self.get(dataset_id)
        self.store.jobs.request_cancel(record.job.id)
        return self.get(dataset_id)

    def delete(self, dataset_id: str) -> int:
        record = self.get(dataset_id)
        if not record.job.terminal:
            raise FailedPrecondition(f"dataset {dataset_id} is {record.job.state}; cancel it first "
                                     "(CancelDataset) and delete it once it is CANCELLED")
        return self.store.datasets.delete(dataset_id)

    def recordings(self, dataset_id: str, requested_size: int, token: str):
        self.get(dataset_id)
        return self.store.datasets.recordings_page(dataset_id, page_size(requested_size), decode_token(token))

    def export(self, dataset_id: str, export_format: str, split: str = "") -> tuple[str, int]:
        """The dataset as text in `export_format` (see intake/export.py); returns (text, records)."""
        from adapt_server.intake.export import export_dataset
        record = self.get(dataset_id)
        if record.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"dataset {dataset_id} is {record.job.state}; export it once it has "
                                     "SUCCEEDED (wait for it)")
        return export_dataset(self.store, record, export_format, split)
