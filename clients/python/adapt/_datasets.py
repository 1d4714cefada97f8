"""client.datasets: create, get, list, delete, cancel, watch, wait, recordings."""
from __future__ import annotations

import uuid
from typing import Iterator

from adapt import _convert
from adapt.resources import Dataset, Event, Recording
from adapt._waiting import wait_until_finished
from adapt.v1 import common_pb2, datasets_pb2, datasets_pb2_grpc



class DatasetsAPI:
    def __init__(self, client):
        self._client = client
        self._rpc = client._rpc
        self._stub = datasets_pb2_grpc.DatasetsStub(client._rpc.channel)

    def _resource(self, message) -> Dataset:
        return self._client._materialize(Dataset, message, self)

    def create(self, name: str, sources: list[dict], pipeline: list[dict] | None = None,
               labels: dict[str, str] | None = None, request_id: str | None = None) -> Dataset:
        """Starts importing `sources`; returns at once with a PENDING dataset (see wait())."""
        request = datasets_pb2.CreateDatasetRequest(
            name=name, sources=[_convert.source(i, s) for i, s in enumerate(sources or [])],
            pipeline=[_convert.step(i, s) for i, s in enumerate(pipeline or [])],
            labels=labels or {}, request_id=request_id or uuid.uuid4().hex)
        return self._resource(self._rpc.unary(self._stub.CreateDataset, request))

    def get(self, dataset_id: str) -> Dataset:
        return self._resource(self._rpc.unary(self._stub.GetDataset, datasets_pb2.GetDatasetRequest(id=dataset_id)))

    def list_page(self, page_size: int = 0, page_token: str = "") -> tuple[list[Dataset], str]:
        response = self._rpc.unary(self._stub.ListDatasets,
                                   datasets_pb2.ListDatasetsRequest(page_size=page_size, page_token=page_token))
        return [self._resource(d) for d in response.datasets], response.next_page_token

    def list(self, page_size: int = 0) -> Iterator[Dataset]:
        """Every dataset, oldest first, fetching pages of `page_size` as it goes."""
        token = ""
        while True:
            items, token = self.list_page(page_size, token)
            yield from items
            if not token:
                return

    def delete(self, dataset_id: str) -> int:
        """Deletes a finished dataset; returns how many audio blobs were freed."""
        return self._rpc.unary(self._stub.DeleteDataset, datasets_pb2.DeleteDatasetRequest(id=dataset_id)).blobs_removed

    def cancel(self, dataset_id: str) -> Dataset:
        return self._resource(self._rpc.unary(self._stub.CancelDataset,
                                              datasets_pb2.CancelDatasetRequest(id=dataset_id)))

    def watch(self, dataset_id: str, after_sequence: int = 0, timeout: float | None = None) -> Iterator[Event]:
        """Progress events until the dataset finishes."""
        request = common_pb2.WatchRequest(id=dataset_id, after_sequence=after_sequence)
        for message in self._rpc.stream(self._stub.WatchDataset, request, timeout=timeout):
            yield Event.from_proto(message)

    def wait(self, dataset_id: str, timeout: float | None = None) -> Dataset:
        """Blocks until the dataset finishes; returns it (the same object create() returned, updated).
        Raises JobFailedError / JobCancelledError when it did not succeed, WaitTimeoutError on timeout.
        Survives a server restart: it reconnects and resumes the event stream."""
        return wait_until_finished("dataset", dataset_id, self.watch, self.get, timeout)

    def export(self, dataset_id: str, format: str = "jsonl", split: str = "") -> str:
        """The dataset as text: "jsonl" (NeMo/Lhotse manifest), "rttm" (speaker turns), "ctm" (word times)
        or "audit" (redaction audit); `split` "train"/"holdout" keeps one side ("" all)."""
        request = datasets_pb2.ExportDatasetRequest(dataset_id=dataset_id, format=format, split=split)
        return self._rpc.unary(self._stub.ExportDataset, request).text

    def recordings(self, dataset_id: str, page_size: int = 0) -> list[Recording]:
        items, token = [], ""
        while True:
            response = self._rpc.unary(self._stub.ListRecordings, datasets_pb2.ListRecordingsRequest(
                dataset_id=dataset_id, page_size=page_size, page_token=token))
            items += [Recording.from_proto(r) for r in response.recordings]
            token = response.next_page_token
            if not token:
                return items
