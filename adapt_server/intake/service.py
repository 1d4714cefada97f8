"""Dataset use cases (create, get, list, cancel, delete, recordings, export); called by the API layer, free of
gRPC."""
from __future__ import annotations

import hashlib
import json
import re

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.intake.pipeline import validate_pipeline
from adapt_server.intake.sources import SourceAccess, parse_source
from adapt_server.intake.steps.base import ValidationEnv
from adapt_server.jobs.resources import JobBackedResources
from adapt_server.lineage.provenance import check_provenance, provenance_record
from adapt_server.models.service import ModelService
from adapt_server.store.consents import new_consent_id
from adapt_server.store.datasets import DEFAULT_DATASET_LANGUAGE, DatasetRecord, FileIssueRow
from adapt_server.store.pages import requested_page
from adapt_server.store.store import Store

MAX_NAME_LENGTH = 200
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")  # ISO 639-1/3, optionally a region: en, yue, pt-br
MAX_SOURCES = 100


class DatasetService(JobBackedResources[DatasetRecord]):
    """Dataset use cases; get, list, cancel and delete (which returns the audio blobs removed) are those of
    every job-backed resource (jobs/resources.py)."""

    def __init__(self, config: ServerConfig, store: Store):
        super().__init__(store.datasets, store.jobs, cancel_rpc="CancelDataset")
        self.config = config
        self.store = store

    def create(self, name: str, sources: list[dict], pipeline: list[dict], labels: dict[str, str],
               request_id: str, language: str = "", provenance: dict | None = None) -> DatasetRecord:
        """Validates everything up front, then stores the dataset and its PENDING ingest job atomically, with its
        provenance record when given (lineage/provenance.py).
        language: the recordings' language code ("" -> "en"); evaluations and fine-tunes decode in it."""
        language = (language or DEFAULT_DATASET_LANGUAGE).strip().lower()
        if not LANGUAGE_CODE.fullmatch(language):
            raise InvalidArgument(f"language {language!r} is not a language code; use e.g. 'en', 'de', 'yue'")
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
        models = ModelService(self.config, self.store)
        steps = validate_pipeline(pipeline, ValidationEnv(models=models))  # cheap checks first
        parsed = [parse_source(i, s, SourceAccess.from_config(self.config)) for i, s in enumerate(sources)]
        for i, source in enumerate(parsed):
            source.require_audio(f"sources[{i}]")
        spec = {"sources": [s.to_spec() for s in parsed], "pipeline": steps, "labels": dict(labels),
                "language": language}
        checked = check_provenance(provenance) if provenance is not None else None
        request_hash = hashlib.sha256(json.dumps({"name": name, "sources": sources, "pipeline": pipeline,
                                                  "labels": labels, **({"language": language} if language != "en"
                                                                       else {}),
                                                  **({"provenance": checked} if checked else {})},
                                                 sort_keys=True).encode()).hexdigest()
        record, _ = self.store.datasets.create(
            name, spec, request_id or None, request_hash, self.config.max_job_attempts,
            (new_consent_id(), provenance_record(checked)) if checked else None)
        return record

    def file_issues(self, dataset_id: str) -> list[FileIssueRow]:
        return self.store.datasets.file_issues(dataset_id)

    def recordings(self, dataset_id: str, requested_size: int, token: str):
        self.get(dataset_id)
        return requested_page(self.store.datasets.recordings_page, requested_size, token, dataset_id=dataset_id)

    def export(self, dataset_id: str, export_format: str, split: str = "") -> tuple[str, int]:
        """The dataset as text in `export_format` (see intake/export.py); returns (text, records)."""
        from adapt_server.intake.export import export_dataset
        record = self.get(dataset_id)
        if record.job.state != "SUCCEEDED":
            raise FailedPrecondition(f"dataset {dataset_id} is {record.job.state}; export it once it has "
                                     "SUCCEEDED (wait for it)")
        return export_dataset(self.store, record, export_format, split)
