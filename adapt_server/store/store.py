"""The store: one SQLite database (WAL) plus the content-addressed blob store, behind small repositories."""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from adapt_server.config import ServerConfig
from adapt_server.store.jobs import JobQueue
from adapt_server.store.blobs import BlobStore
from adapt_server.store.datasets import DatasetRepository
from adapt_server.store.db import connect, migrate
from adapt_server.store.models import ModelRepository


@dataclass
class Store:
    db: sqlite_utils.Database
    blobs: BlobStore
    jobs: JobQueue
    datasets: DatasetRepository
    models: ModelRepository

    @classmethod
    def open(cls, config: ServerConfig, run_migrations: bool = False) -> "Store":
        """Opens the data directory. Only the server process migrates; workers open an up-to-date schema."""
        db = connect(config.database_path)
        if run_migrations:
            migrate(db)
        blobs = BlobStore(config.blob_dir)
        return cls(db=db, blobs=blobs, jobs=JobQueue(db), datasets=DatasetRepository(db, blobs),
                   models=ModelRepository(db))

    def close(self) -> None:
        self.db.conn.close()
