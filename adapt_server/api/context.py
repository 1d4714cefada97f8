"""Runs use cases off the event loop: one SQLite connection and one set of services per thread, and the one
helper every List RPC uses."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from adapt_server.config import ServerConfig
from adapt_server.deploy.service import DeploymentService
from adapt_server.engines.registry import EngineRegistry
from adapt_server.evaluation.service import EvaluationService
from adapt_server.finetunes.service import FineTuneService
from adapt_server.intake.service import DatasetService
from adapt_server.jobs.service import JobService
from adapt_server.lineage.service import LineageService
from adapt_server.models.service import ModelService
from adapt_server.speech.service import SpeechService
from adapt_server.speech.session import Streams
from adapt_server.store.store import Store
from adapt_server.voices.service import VoiceService
from adapt_server.voices.synthesis import SynthesisService

T = TypeVar("T")
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

    @classmethod
    def open(cls, config: ServerConfig, engines: EngineRegistry, streams: Streams) -> "Services":
        store = Store.open(config)
        models, deployments = ModelService(config, store), DeploymentService(store)
        return cls(datasets=DatasetService(config, store), models=models,
                   evaluations=EvaluationService(config, store), fine_tunes=FineTuneService(config, store),
                   deployments=deployments, jobs=JobService(store.jobs),
                   speech=SpeechService(store, models, deployments, engines, streams),
                   voices=VoiceService(config, store, engines), synthesis=SynthesisService(store, deployments),
                   lineage=LineageService(store, deployments))


class ServiceRunner:
    """config: the server's; engines and streams: shared by every thread's SpeechService."""

    def __init__(self, config: ServerConfig, engines: EngineRegistry, streams: Streams):
        self.config = config
        self.engines = engines
        self.streams = streams
        self._local = threading.local()

    def services(self) -> Services:
        """This thread's services (created on first use)."""
        services = getattr(self._local, "services", None)
        if services is None:
            services = Services.open(self.config, self.engines, self.streams)
            self._local.services = services
        return services

    async def run(self, fn: Callable[[Services], T]) -> T:
        """Runs fn(services) in a worker thread; SQLite and file I/O never block the event loop."""
        return await asyncio.to_thread(lambda: fn(self.services()))

    async def page(self, list_records: Callable[[Services], tuple[list[R], str]],
                   to_message: Callable[[Services, R], T]) -> tuple[list[T], str]:
        """A List RPC: list_records(services) -> (records, next_page_token), each record converted by
        to_message(services, record) in the same thread; returns (messages, next_page_token)."""
        def work(services: Services) -> tuple[list[T], str]:
            records, token = list_records(services)
            return [to_message(services, record) for record in records], token
        return await self.run(work)
