"""adapt.Client: one gRPC channel and the resource APIs the product docs use."""
from __future__ import annotations

import os
import weakref
from pathlib import Path

import grpc

from adapt._audit import AuditAPI
from adapt._datasets import DatasetsAPI
from adapt._deployments import DeploymentsAPI
from adapt._evaluations import EvaluationsAPI
from adapt._fine_tunes import FineTunesAPI
from adapt._keys import KeysAPI
from adapt._lineage import LineageAPI
from adapt._models import ModelsAPI
from adapt._rpc import Rpc
from adapt._speech import SpeechAPI
from adapt._voices import VoicesAPI

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
Pem = bytes | str | Path   # PEM bytes, or the path of a PEM file


def _pem(value: Pem | None, what: str) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    try:
        return Path(value).read_bytes()
    except OSError as exc:
        raise ValueError(f"{what}: cannot read {value}: {exc.strerror}") from None


class Client:
    """client = adapt.Client("localhost:50051", api_key=None)

    Resources: client.datasets, client.models, client.speech, client.evaluations, client.fine_tunes,
    client.deployments, client.voices, client.lineage, client.keys,
    client.audit; client.status() describes the server. api_key defaults to
    $ADAPT_API_KEY. timeout: seconds for unary calls (None: no limit).

    TLS, with grpc's own names (each PEM bytes or a file path): root_certificates (the server's CA; default
    $ADAPT_TLS_CA, else the system roots when tls=True), certificate_chain and private_key (a client
    certificate, for servers that require mutual TLS). Any of them, or tls=True, makes the channel TLS;
    without them it is plaintext (a loopback server).
    """

    def __init__(self, target: str = "localhost:50051", api_key: str | None = None, timeout: float | None = 60.0,
                 *, root_certificates: Pem | None = None, certificate_chain: Pem | None = None,
                 private_key: Pem | None = None, tls: bool | None = None):
        self.target = target
        root_certificates = root_certificates or os.environ.get("ADAPT_TLS_CA") or None
        if (certificate_chain is None) != (private_key is None):
            raise ValueError("certificate_chain and private_key go together (mutual TLS needs both)")
        options = [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                   ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)]
        if tls is False and (root_certificates or certificate_chain):
            raise ValueError("tls=False with TLS certificates: leave tls unset to use them")
        if tls or root_certificates or certificate_chain:
            credentials = grpc.ssl_channel_credentials(
                root_certificates=_pem(root_certificates, "root_certificates"),
                private_key=_pem(private_key, "private_key"),
                certificate_chain=_pem(certificate_chain, "certificate_chain"))
            self._channel = grpc.secure_channel(target, credentials, options=options)
        else:
            self._channel = grpc.insecure_channel(target, options=options)
        self._rpc = Rpc(self._channel, api_key or os.environ.get("ADAPT_API_KEY"), timeout)
        self._live = weakref.WeakValueDictionary()
        self.datasets = DatasetsAPI(self)
        self.models = ModelsAPI(self)
        self.speech = SpeechAPI(self)
        self.evaluations = EvaluationsAPI(self)
        self.fine_tunes = FineTunesAPI(self)
        self.deployments = DeploymentsAPI(self)
        self.keys = KeysAPI(self)
        self.audit = AuditAPI(self)
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
