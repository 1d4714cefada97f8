"""Runs use cases off the event loop: one SQLite connection per thread, one set of services per thread and
project (the caller's, api/identity.py: every use case sees only that project's resources), and the one
helper every List RPC uses.

Two kinds of threads run them: the control plane (`run`, `page`: SQLite use cases and small RPCs, in the event
loop's default executor) and decoding (`decode`: the speech capacity's own executor, with the request's
cancellation token), so transcription load never starves ListModels. Until the server is ready (migrations
and job recovery done) every use case answers UNAVAILABLE."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from adapt_server.api.identity import current_principal
from adapt_server.api.limits import PAGE_BYTE_BUDGET
from adapt_server.config import ServerConfig
from adapt_server.deploy.service import DeploymentService
from adapt_server.engines.registry import EngineRegistry
from adapt_server.evaluation.service import EvaluationService
from adapt_server.finetunes.service import FineTuneService
from adapt_server.intake.service import DatasetService
from adapt_server.jobs.service import JobService
from adapt_server.lineage.service import LineageService
from adapt_server.models.service import ModelService
from adapt_server.security.audit import AuditService, AuditTrail
from adapt_server.security.keys import KeyService
from adapt_server.speech.service import SpeechService
from adapt_server.errors import Unavailable
from adapt_server.speech.cancel import CancelToken
from adapt_server.speech.capacity import SpeechCapacity
from adapt_server.speech.turns import REQUEST
from adapt_server.store.store import Store
from adapt_server.voices.service import VoiceService
from adapt_server.voices.synthesis import SynthesisService

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
    voices: VoiceService
    synthesis: SynthesisService
    lineage: LineageService
    keys: KeyService
    audit: AuditService

    @classmethod
    def open(cls, config: ServerConfig, engines: EngineRegistry, capacity: SpeechCapacity, store: Store,
             security: "Security") -> "Services":
        """The use cases over `store` (opened for one project)."""
        models, deployments = ModelService(config, store), DeploymentService(store)
        return cls(datasets=DatasetService(config, store), models=models,
                   evaluations=EvaluationService(config, store), fine_tunes=FineTuneService(config, store),
                   deployments=deployments, jobs=JobService(store.jobs, store.scope.project),
                   speech=SpeechService(store, models, deployments, engines, capacity),
                   keys=KeyService(store, security.forget_key), audit=AuditService(store.audit, security.audit),
                   voices=VoiceService(config, store, engines), synthesis=SynthesisService(store, deployments),
                   lineage=LineageService(store, deployments))


@dataclass(frozen=True)
class Security:
    """What the keys and audit use cases need of the server-wide trust boundary."""
    forget_key: Callable[[str], None] = lambda key_id: None   # Authenticator.forget: a revoke applies at once
    audit: AuditTrail | None = None


class ServiceRunner:
    """config: the server's; engines and capacity: shared by every thread's SpeechService; security: the
    server-wide side of the keys and audit use cases. ready: set by the server once the data directory is
    migrated and recovered (until then use cases answer UNAVAILABLE)."""

    def __init__(self, config: ServerConfig, engines: EngineRegistry, capacity: SpeechCapacity,
                 security: Security = Security(), ready: bool = True):
        self.config = config
        self.engines = engines
        self.capacity = capacity
        self.security = security
        self.ready = threading.Event()
        if ready:
            self.ready.set()
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
            services = by_project[project] = Services.open(self.config, self.engines, self.capacity,
                                                           self._local.store.scoped(project), self.security)
        return services

    def _check_ready(self) -> None:
        if not self.ready.is_set():
            raise Unavailable("the server is starting (migrating its database, recovering interrupted jobs); "
                              "retry in a few seconds, or wait for its health check to say SERVING")

    async def run(self, fn: Callable[[Services], T]) -> T:
        """Runs fn(services) in a control-plane thread, over the caller's project; SQLite and file I/O never
        block the event loop."""
        self._check_ready()
        project = current_principal().project
        return await asyncio.to_thread(lambda: fn(self.services(project)))

    async def decode(self, fn: Callable[[Services], T], token: CancelToken) -> T:
        """Runs fn(services) in a decoding thread (the speech capacity's executor) with the request's token, in
        a request's turn at the model (after streams' finals, speech/turns.py): a cancelled RPC fires the token
        and its work stops at the next window or batch (SpeechCapacity.decode)."""
        self._check_ready()
        project = current_principal().project  # read here: the decode executor does not carry the call's context
        return await self.capacity.decode(lambda: fn(self.services(project)), token, REQUEST)

    async def page(self, list_records: Callable[[Services, int], tuple[list[R], str]], requested_size: int,
                   to_message: Callable[[Services, R], T]) -> tuple[list[T], str]:
        """A List RPC: list_records(services, page_size) -> (records, next_page_token), each record converted by
        to_message(services, record) in the same thread; returns (messages, next_page_token).

        A page is bounded in bytes as well as in count: once the messages pass PAGE_BYTE_BUDGET the page ends
        there (at least one item), and the token is that of a page of exactly the items sent, so the next page
        starts right after them."""
        def work(services: Services) -> tuple[list[T], str]:
            records, token = list_records(services, requested_size)
            messages, total = [], 0
            for record in records:
                message = to_message(services, record)
                size = message.ByteSize() if hasattr(message, "ByteSize") else 0
                if messages and total + size > PAGE_BYTE_BUDGET:
                    _, token = list_records(services, len(messages))
                    break
                messages.append(message)
                total += size
            return messages, token
        return await self.run(work)
