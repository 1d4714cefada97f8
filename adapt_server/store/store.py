"""The store: one SQLite database (WAL) plus the content-addressed blob store, behind one repository per table
group (jobs, datasets, models, evaluations, fine-tunes, deployments, voices, consents, lineage, and the security
tables). Every SQL statement of the server is in adapt_server/store/.

A Store is opened for one project (store/scope.py): its resource repositories see and change only that
project's rows (and read the shared bundled models). `scoped(project)` gives the same connection for
another project. The job queue, keys and audit log are server-wide.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from adapt_server.config import ServerConfig
from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec
from adapt_server.store.blob_stores import open_blob_store
from adapt_server.store.consents import ConsentRepository
from adapt_server.store.datasets import DatasetRepository
from adapt_server.store.db import connect, migrate
from adapt_server.store.deployments import DeploymentRepository
from adapt_server.store.evaluations import EvaluationRepository
from adapt_server.store.fine_tunes import FineTuneRepository
from adapt_server.store.jobs import JobQueue
from adapt_server.store.lineage import LineageRepository
from adapt_server.store.models import ModelRepository
from adapt_server.store.scope import DEFAULT_PROJECT, ProjectScope
from adapt_server.store.security import AuditRepository, CertificateRepository, KeyRepository
from adapt_server.store.voices import VoiceRepository


@dataclass
class Store:
    db: sqlite_utils.Database
    blobs: Blobs
    scope: ProjectScope
    jobs: JobQueue
    datasets: DatasetRepository
    models: ModelRepository
    evaluations: EvaluationRepository
    fine_tunes: FineTuneRepository
    deployments: DeploymentRepository
    voices: VoiceRepository
    consents: ConsentRepository
    lineage: LineageRepository
    keys: KeyRepository
    certificates: CertificateRepository
    audit: AuditRepository
    max_active_jobs: int = 0

    @classmethod
    def open(cls, config: ServerConfig, run_migrations: bool = False, project: str = DEFAULT_PROJECT) -> "Store":
        """Opens the data directory for `project`. Only the server process migrates; workers open an
        up-to-date schema."""
        db = connect(config.database_path)
        if run_migrations:
            migrate(db)
        return cls.over(db, open_blob_store(blob_spec(config)), project, config.quotas.max_active_jobs_per_project)

    @classmethod
    def over(cls, db: sqlite_utils.Database, blobs: Blobs, project: str, max_active_jobs: int = 0) -> "Store":
        """The repositories of `project` over an open connection."""
        scope = ProjectScope(project)
        return cls(db=db, blobs=blobs, scope=scope, jobs=JobQueue(db),
                   datasets=DatasetRepository(db, blobs, scope, max_active_jobs), models=ModelRepository(db, scope),
                   evaluations=EvaluationRepository(db, scope, max_active_jobs),
                   fine_tunes=FineTuneRepository(db, scope, max_active_jobs),
                   deployments=DeploymentRepository(db, scope), keys=KeyRepository(db),
                   certificates=CertificateRepository(db), audit=AuditRepository(db),
                   voices=VoiceRepository(db, blobs, scope, max_active_jobs), consents=ConsentRepository(db, scope),
                   lineage=LineageRepository(db, scope), max_active_jobs=max_active_jobs)

    def scoped(self, project: str) -> "Store":
        """This connection's repositories for another project (cheap: no new connection)."""
        if project == self.scope.project:
            return self
        return Store.over(self.db, self.blobs, project, self.max_active_jobs)

    def close(self) -> None:
        self.db.conn.close()


def blob_spec(config: ServerConfig) -> BlobStoreSpec:
    """The blob store the config names (--blob-store): local in the data directory, or S3 with this machine's
    cache in the data directory."""
    return BlobStoreSpec(url=config.blob_store, local_root=str(config.blob_dir), endpoint=config.blob_endpoint,
                         cache_dir=str(config.blob_cache_dir) if config.blob_store else "")
