"""adapt.v1.Server: a snapshot of what the server is doing, as the caller's project may see it: its own jobs
and the loaded engines of models it can use (active_streams is server-wide: docs/security.md)."""
from __future__ import annotations

import time

from adapt._version import distribution_version
from adapt.v1 import server_pb2, server_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors

VERSION = distribution_version("adapt-server")  # from clients/python/VERSION, as pip installed it


class ServerServicer(server_pb2_grpc.ServerServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner
        self.started = time.time()

    @handle_errors
    async def GetStatus(self, request, context):
        counts, models, streams = await self.runner.run(
            lambda s: (s.jobs.active(), _visible(s, s.speech.loaded_models()), s.speech.capacity.active_streams))
        return server_pb2.ServerStatus(
            version=VERSION, start_time=convert.timestamp(self.started), workers=self.runner.config.workers,
            jobs_pending=counts["PENDING"], jobs_running=counts["RUNNING"], active_streams=streams,
            loaded_models=models)


def _visible(s, loaded: list[str]) -> list[str]:
    """The "model/compute type" entries whose model the caller's project sees (s: this thread's Services)."""
    return [entry for entry in loaded if s.models.exists(entry.rsplit("/", 1)[0])]
