"""client.fine_tunes: create, get, list, cancel, watch, wait."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterator

from google.protobuf import json_format

from adapt._convert import to_struct
from adapt.errors import InvalidArgumentError
from adapt.resources import ErrorInfo, Event, Progress, Resource, State, _time
from adapt._waiting import wait_until_finished
from adapt.v1 import common_pb2, fine_tunes_pb2, fine_tunes_pb2_grpc



@dataclass(eq=False)
class FineTune(Resource):
    """A fine-tune job and, once it SUCCEEDED, the tuned model's id ("ft:<base>:<short id>")."""
    id: str = ""
    state: State = State.PENDING
    progress: Progress = field(default_factory=Progress)
    error: ErrorInfo | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    base_model: str = ""
    dataset_id: str = ""
    hyperparameters: dict = field(default_factory=dict)
    validation: dict = field(default_factory=dict)
    model_id: str = ""              # "" until SUCCEEDED
    metrics: dict = field(default_factory=dict)
    export_formats: tuple[str, ...] = ()
    labels: dict = field(default_factory=dict)
    mixin_dataset_id: str = ""
    _api: object = field(default=None, repr=False)

    def _update(self, m) -> None:
        self.id, self.state = m.id, State.from_proto(m.state)
        self.progress = Progress.from_proto(m.progress)
        self.error = ErrorInfo(m.error.code, m.error.message) if m.HasField("error") else None
        self.created_at, self.updated_at = _time(m.create_time), _time(m.update_time)
        self.base_model, self.dataset_id = m.base_model, m.dataset_id
        self.hyperparameters = json_format.MessageToDict(m.hyperparameters)
        self.validation = {"split": m.validation.split, "holdout_fraction": m.validation.holdout_fraction}
        self.model_id = m.model_id
        self.metrics = json_format.MessageToDict(m.metrics)
        self.export_formats = tuple(m.export_formats)
        self.labels = dict(m.labels)
        self.mixin_dataset_id = m.mixin_dataset_id

    def refresh(self) -> "FineTune":
        return self._api.get(self.id)

    def wait(self, timeout: float | None = None) -> "FineTune":
        return self._api.wait(self.id, timeout=timeout)

    def cancel(self) -> "FineTune":
        return self._api.cancel(self.id)

    def watch(self, after_sequence: int = 0) -> Iterator[Event]:
        return self._api.watch(self.id, after_sequence)


class FineTunesAPI:
    def __init__(self, client):
        self._client = client
        self._rpc = client._rpc
        self._stub = fine_tunes_pb2_grpc.FineTunesStub(client._rpc.channel)

    def _resource(self, message) -> FineTune:
        return self._client._materialize(FineTune, message, self)

    def create(self, base_model: str, dataset_id: str, hyperparameters: dict | None = None,
               validation: dict | None = None, labels: dict[str, str] | None = None,
               request_id: str | None = None, export_formats: list[str] | None = None,
               mixin_dataset_id: str = "") -> FineTune:
        """Starts fine-tuning `base_model` on `dataset_id`; returns at once with a PENDING fine-tune (see wait()).

        hyperparameters: e.g. {"learning_rate": 1e-5, "epochs": 3, "batch_size": 16} (docs/fine_tunes.md);
        validation: {"split": "holdout"} (default) or {"holdout_fraction": 0.2} or {"split": "none"}.
        export_formats: besides "ctranslate2" (always), "huggingface" (default) and/or "onnx".
        mixin_dataset_id: general speech mixed in at hyperparameters["mixin_ratio"], against forgetting.
        """
        validation = dict(validation or {})
        unknown = sorted(set(validation) - {"split", "holdout_fraction"})
        if unknown:
            raise InvalidArgumentError(f"validation: unknown fields {unknown}; use split and holdout_fraction")
        request = fine_tunes_pb2.CreateFineTuneRequest(
            base_model=base_model, dataset_id=dataset_id,
            hyperparameters=to_struct("hyperparameters", dict(hyperparameters or {})), labels=labels or {},
            request_id=request_id or uuid.uuid4().hex, export_formats=list(export_formats or []),
            mixin_dataset_id=mixin_dataset_id)
        if validation:
            request.validation.split = str(validation.get("split") or "")
            try:
                request.validation.holdout_fraction = float(validation.get("holdout_fraction") or 0.0)
            except (TypeError, ValueError):
                raise InvalidArgumentError("validation.holdout_fraction must be a number between 0 and 0.5") from None
        return self._resource(self._rpc.unary(self._stub.CreateFineTune, request))

    def get(self, fine_tune_id: str) -> FineTune:
        return self._resource(self._rpc.unary(self._stub.GetFineTune, fine_tunes_pb2.GetFineTuneRequest(id=fine_tune_id)))

    def list_page(self, page_size: int = 0, page_token: str = "") -> tuple[list[FineTune], str]:
        response = self._rpc.unary(self._stub.ListFineTunes,
                                   fine_tunes_pb2.ListFineTunesRequest(page_size=page_size, page_token=page_token))
        return [self._resource(f) for f in response.fine_tunes], response.next_page_token

    def list(self, page_size: int = 0) -> Iterator[FineTune]:
        """Every fine-tune, oldest first."""
        token = ""
        while True:
            items, token = self.list_page(page_size, token)
            yield from items
            if not token:
                return

    def cancel(self, fine_tune_id: str) -> FineTune:
        return self._resource(self._rpc.unary(self._stub.CancelFineTune,
                                              fine_tunes_pb2.CancelFineTuneRequest(id=fine_tune_id)))

    def watch(self, fine_tune_id: str, after_sequence: int = 0, timeout: float | None = None) -> Iterator[Event]:
        """Progress events (stage "train": step done/total, loss and learning rate in the message) until the end."""
        request = common_pb2.WatchRequest(id=fine_tune_id, after_sequence=after_sequence)
        for message in self._rpc.stream(self._stub.WatchFineTune, request, timeout=timeout):
            yield Event.from_proto(message)

    def wait(self, fine_tune_id: str, timeout: float | None = None) -> FineTune:
        """Blocks until the fine-tune finishes; returns it with `model_id` set. Raises JobFailedError /
        JobCancelledError when it did not succeed, WaitTimeoutError on timeout. Survives a server restart."""
        return wait_until_finished("fine-tune", fine_tune_id, self.watch, self.get, timeout)
