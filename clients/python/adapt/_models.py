"""client.models: list, get, register, delete."""
from __future__ import annotations

import uuid
from typing import Iterator

from adapt.resources import Model
from adapt.v1 import models_pb2, models_pb2_grpc


class ModelsAPI:
    def __init__(self, client):
        self._client = client
        self._rpc = client._rpc
        self._stub = models_pb2_grpc.ModelsStub(client._rpc.channel)

    def _resource(self, message) -> Model:
        return self._client._materialize(Model, message, self)

    def list(self, page_size: int = 0) -> Iterator[Model]:
        token = ""
        while True:
            response = self._rpc.unary(self._stub.ListModels,
                                       models_pb2.ListModelsRequest(page_size=page_size, page_token=token))
            yield from (self._resource(m) for m in response.models)
            token = response.next_page_token
            if not token:
                return

    def get(self, model_id: str) -> Model:
        return self._resource(self._rpc.unary(self._stub.GetModel, models_pb2.GetModelRequest(id=model_id)))

    def register(self, path: str, model_id: str = "", labels: dict[str, str] | None = None,
                 description: str = "", request_id: str | None = None) -> Model:
        """Registers a server-side CTranslate2 or Hugging Face Whisper directory."""
        request = models_pb2.RegisterModelRequest(path=str(path), model_id=model_id, labels=labels or {},
                                                  description=description,
                                                  request_id=request_id or uuid.uuid4().hex)
        return self._resource(self._rpc.unary(self._stub.RegisterModel, request, timeout=600))

    def delete(self, model_id: str) -> None:
        self._rpc.unary(self._stub.DeleteModel, models_pb2.DeleteModelRequest(id=model_id))
