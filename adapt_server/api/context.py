"""Runs use cases off the event loop: one SQLite connection per thread, one set of services per thread and
project (the caller's, api/identity.py: every use case sees only that project's resources), and the one
helper every List RPC uses."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from adapt_server.api.identity import current_principal
from adapt_server.config import ServerConfig
from adapt_server.deploy.service import DeploymentService
from adapt_server.engines.registry import EngineRegistry
from adapt_server.evaluation.service import EvaluationService
from adapt_server.finetunes.service import FineTuneService
from adapt_server.intake.service import DatasetService
from adapt_server.jobs.service import JobService
from adapt_server.models.service import ModelService
from adapt_server.security.audit import AuditService, AuditTrail
from adapt_server.security.keys import KeyService
from adapt_server.speech.service import SpeechService
from adapt_server.speech.session import Streams
from adapt_server.store.store import Store

T = TypeVar("T")
MAX_PROJECTS_PER_THREAD = 32  # services kept per thread (cheap objects over the thread's one connection)
R = TypeVar("R")


@dataclass(frozen=True)
class Services:
    """The use cases the servicers call, over one thread's store."""
    datasets: DatasetService
    models: ModelService
    evaluations: EvaluationService
    fine_tunes: FineTuneService
    deployments: DeploymentService
    jobs: JobService
    speech: SpeechService
    keys: KeyService
    audit: AuditService

    @classmethod
    def open(cls, config: ServerConfig, engines: EngineRegistry, streams: Streams, store: Store,
             security: "Security") -> "Services":
        """The use cases over `store` (opened for one project)."""
        models, deployments = ModelService(config, store), DeploymentService(store)
        return cls(datasets=DatasetService(config, store), models=models,
                   evaluations=EvaluationService(config, store), fine_tunes=FineTuneService(config, store),
                   deployments=deployments, jobs=JobService(store.jobs, store.scope.project),
                   speech=SpeechService(store, models, deployments, engines, streams),
                   keys=KeyService(store, security.forget_key), audit=AuditService(store.audit, security.audit))


@dataclass(frozen=True)
class Security:
    """What the keys and audit use cases need of the server-wide trust boundary."""
    forget_key: Callable[[str], None] = lambda key_id: None   # Authenticator.forget: a revoke applies at once
    audit: AuditTrail | None = None


class ServiceRunner:
    """config: the server's; engines and streams: shared by every thread's SpeechService; security: the
    server-wide side of the keys and audit use cases."""

    def __init__(self, config: ServerConfig, engines: EngineRegistry, streams: Streams,
                 security: Security = Security()):
        self.config = config
        self.engines = engines
        self.streams = streams
        self.security = security
        self._local = threading.local()

    def services(self, project: str) -> Services:
        """This thread's services for `project` (created on first use, over the thread's one connection)."""
        by_project = getattr(self._local, "services", None)
        if by_project is None:
            by_project = self._local.services = {}
            self._local.store = Store.open(self.config)
        services = by_project.get(project)
        if services is None:
            if len(by_project) >= MAX_PROJECTS_PER_THREAD:
                by_project.pop(next(iter(by_project)))
            services = by_project[project] = Services.open(self.config, self.engines, self.streams,
                                                           self._local.store.scoped(project), self.security)
        return services

    async def run(self, fn: Callable[[Services], T]) -> T:
        """Runs fn(services) in a worker thread, over the caller's project; SQLite and file I/O never block the
        event loop."""
        project = current_principal().project
        return await asyncio.to_thread(lambda: fn(self.services(project)))

    async def page(self, list_records: Callable[[Services], tuple[list[R], str]],
                   to_message: Callable[[Services, R], T]) -> tuple[list[T], str]:
        """A List RPC: list_records(services) -> (records, next_page_token), each record converted by
        to_message(services, record) in the same thread; returns (messages, next_page_token)."""
        def work(services: Services) -> tuple[list[T], str]:
            records, token = list_records(services)
            return [to_message(services, record) for record in records], token
        return await self.run(work)
