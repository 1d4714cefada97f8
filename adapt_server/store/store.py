"""The store: one SQLite database (WAL) plus the content-addressed blob store, behind one repository per table
group (jobs, datasets, models, evaluations, fine-tunes, deployments, voices, consents, lineage). Every SQL
statement of the server is in adapt_server/store/."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from adapt_server.config import ServerConfig
from adapt_server.store.blobs import BlobStore
from adapt_server.store.consents import ConsentRepository
from adapt_server.store.datasets import DatasetRepository
from adapt_server.store.db import connect, migrate
from adapt_server.store.deployments import DeploymentRepository
from adapt_server.store.evaluations import EvaluationRepository
from adapt_server.store.fine_tunes import FineTuneRepository
from adapt_server.store.jobs import JobQueue
from adapt_server.store.lineage import LineageRepository
from adapt_server.store.models import ModelRepository
from adapt_server.store.voices import VoiceRepository


@dataclass
class Store:
    db: sqlite_utils.Database
    blobs: BlobStore
    jobs: JobQueue
    datasets: DatasetRepository
    models: ModelRepository
    evaluations: EvaluationRepository
    fine_tunes: FineTuneRepository
    deployments: DeploymentRepository
    voices: VoiceRepository
    consents: ConsentRepository
    lineage: LineageRepository

    @classmethod
    def open(cls, config: ServerConfig, run_migrations: bool = False) -> "Store":
        """Opens the data directory. Only the server process migrates; workers open an up-to-date schema."""
        db = connect(config.database_path)
        if run_migrations:
            migrate(db)
        blobs = BlobStore(config.blob_dir)
        return cls(db=db, blobs=blobs, jobs=JobQueue(db), datasets=DatasetRepository(db, blobs),
                   models=ModelRepository(db), evaluations=EvaluationRepository(db), fine_tunes=FineTuneRepository(db),
                   deployments=DeploymentRepository(db), voices=VoiceRepository(db, blobs),
                   consents=ConsentRepository(db), lineage=LineageRepository(db))

    def close(self) -> None:
        self.db.conn.close()
