"""adapt.v1.Models: thin translation between messages and ModelService."""
from __future__ import annotations

from adapt.v1 import models_pb2, models_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors


class ModelsServicer(models_pb2_grpc.ModelsServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def ListModels(self, request, context):
        items, token = await self.runner.page(lambda s, size: s.models.list(size, request.page_token),
                                              request.page_size, lambda s, record: convert.model(record))
        return models_pb2.ListModelsResponse(models=items, next_page_token=token)

    @handle_errors
    async def GetModel(self, request, context):
        return convert.model(await self.runner.run(lambda s: s.models.get(request.id)))

    @handle_errors
    async def RegisterModel(self, request, context):
        record = await self.runner.run(lambda s: s.models.register(
            request.path, request.model_id, dict(request.labels), request.description, request.request_id))
        return convert.model(record)

    @handle_errors
    async def DeleteModel(self, request, context):
        await self.runner.run(lambda s: s.models.delete(request.id))
        return models_pb2.DeleteModelResponse(id=request.id)
