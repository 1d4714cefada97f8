"""adapt.Client: one gRPC channel and the resource APIs the product docs use."""
from __future__ import annotations

import os
import weakref

import grpc

from adapt._datasets import DatasetsAPI
from adapt._deployments import DeploymentsAPI
from adapt._evaluations import EvaluationsAPI
from adapt._fine_tunes import FineTunesAPI
from adapt._lineage import LineageAPI
from adapt._models import ModelsAPI
from adapt._rpc import Rpc
from adapt._speech import SpeechAPI
from adapt._voices import VoicesAPI

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class Client:
    """client = adapt.Client("localhost:50051", api_key=None)

    Resources: client.datasets, client.models, client.speech, client.evaluations, client.fine_tunes,
    client.deployments, client.voices, client.lineage; client.status() describes the server. api_key defaults to $ADAPT_API_KEY. timeout: seconds for unary calls (None: no limit).
    """

    def __init__(self, target: str = "localhost:50051", api_key: str | None = None, timeout: float | None = 60.0):
        self.target = target
        self._channel = grpc.insecure_channel(target, options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
        self._rpc = Rpc(self._channel, api_key or os.environ.get("ADAPT_API_KEY"), timeout)
        self._live = weakref.WeakValueDictionary()
        self.datasets = DatasetsAPI(self)
        self.models = ModelsAPI(self)
        self.speech = SpeechAPI(self)
        self.evaluations = EvaluationsAPI(self)
        self.fine_tunes = FineTunesAPI(self)
        self.deployments = DeploymentsAPI(self)
        self.voices = VoicesAPI(self)
        self.lineage = LineageAPI(self)

    def _materialize(self, cls, message, api):
        """The one live object for this resource id, updated from `message`."""
        key = (cls.__name__, message.id)
        resource = self._live.get(key)
        if resource is None:
            resource = cls(_api=api)
            self._live[key] = resource
        resource._update(message)
        return resource

    def status(self):
        """What the server is doing: version, workers, jobs, active streams, loaded models (a ServerStatus)."""
        from adapt.v1 import server_pb2, server_pb2_grpc
        return self._rpc.unary(server_pb2_grpc.ServerStub(self._channel).GetStatus, server_pb2.GetStatusRequest())

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
