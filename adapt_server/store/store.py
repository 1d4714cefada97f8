"""The store: one SQLite database (WAL) plus the content-addressed blob store, behind one repository per table
group (jobs, datasets, models, evaluations, fine-tunes, deployments). Every SQL statement of the server is in
adapt_server/store/."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from adapt_server.config import ServerConfig
from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec
from adapt_server.store.blob_stores import open_blob_store
from adapt_server.store.datasets import DatasetRepository
from adapt_server.store.db import connect, migrate
from adapt_server.store.deployments import DeploymentRepository
from adapt_server.store.evaluations import EvaluationRepository
from adapt_server.store.fine_tunes import FineTuneRepository
from adapt_server.store.jobs import JobQueue
from adapt_server.store.models import ModelRepository


@dataclass
class Store:
    db: sqlite_utils.Database
    blobs: Blobs
    jobs: JobQueue
    datasets: DatasetRepository
    models: ModelRepository
    evaluations: EvaluationRepository
    fine_tunes: FineTuneRepository
    deployments: DeploymentRepository

    @classmethod
    def open(cls, config: ServerConfig, run_migrations: bool = False) -> "Store":
        """Opens the data directory. Only the server process migrates; workers open an up-to-date schema."""
        db = connect(config.database_path)
        if run_migrations:
            migrate(db)
        blobs = open_blob_store(blob_spec(config))
        return cls(db=db, blobs=blobs, jobs=JobQueue(db), datasets=DatasetRepository(db, blobs),
                   models=ModelRepository(db), evaluations=EvaluationRepository(db), fine_tunes=FineTuneRepository(db),
                   deployments=DeploymentRepository(db))

    def close(self) -> None:
        self.db.conn.close()


def blob_spec(config: ServerConfig) -> BlobStoreSpec:
    """The blob store the config names (--blob-store): local in the data directory, or S3 with this machine's
    cache in the data directory."""
    return BlobStoreSpec(url=config.blob_store, local_root=str(config.blob_dir), endpoint=config.blob_endpoint,
                         cache_dir=str(config.blob_cache_dir) if config.blob_store else "")
