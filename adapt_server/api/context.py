"""Runs store-backed use cases off the event loop: one SQLite connection and service set per thread."""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Callable, TypeVar

from adapt_server.config import ServerConfig
from adapt_server.engines.service import ModelService
from adapt_server.intake.service import DatasetService
from adapt_server.store.store import Store

T = TypeVar("T")


@dataclass
class Services:
    store: Store
    datasets: DatasetService
    models: ModelService


class ServiceRunner:
    def __init__(self, config: ServerConfig):
        self.config = config
        self._local = threading.local()

    def services(self) -> Services:
        """This thread's services (created on first use)."""
        services = getattr(self._local, "services", None)
        if services is None:
            store = Store.open(self.config)
            services = Services(store, DatasetService(self.config, store), ModelService(self.config, store))
            self._local.services = services
        return services

    async def run(self, fn: Callable[[Services], T]) -> T:
        """Runs fn(services) in a worker thread; SQLite and file I/O never block the event loop."""
        return await asyncio.to_thread(lambda: fn(self.services()))
