"""client.models: list, get, register, delete."""
from __future__ import annotations

import uuid

from adapt._resource_api import ResourceAPI
from adapt.resources import Model
from adapt.v1 import models_pb2, models_pb2_grpc

REGISTER_TIMEOUT_S = 600  # registering converts a Hugging Face directory to CTranslate2 on the server


class ModelsAPI(ResourceAPI[Model]):
    """Models: get, list_page and list come from ResourceAPI."""
    resource_type, stub_type, messages, name = Model, models_pb2_grpc.ModelsStub, models_pb2, "Model"

    def register(self, path: str, model_id: str = "", labels: dict[str, str] | None = None,
                 description: str = "", request_id: str | None = None) -> Model:
        """Registers a server-side model directory of any family the server serves: CTranslate2 or Hugging Face
        Whisper, a Hugging Face qwen3_asr / voxtral / voxtral_realtime / cohere_asr model (a Qwen3-ForcedAligner
        registers as an aligner), or a pyannote.audio pipeline (a diarizer). The family is detected from its files."""
        request = models_pb2.RegisterModelRequest(path=str(path), model_id=model_id, labels=labels or {},
                                                  description=description,
                                                  request_id=request_id or uuid.uuid4().hex)
        return self._resource(self._call("RegisterModel", request, timeout=REGISTER_TIMEOUT_S))

    def delete(self, model_id: str) -> None:
        self._call("DeleteModel", models_pb2.DeleteModelRequest(id=model_id))
