"""client.datasets: create, get, list, delete, cancel, watch, wait, export, recordings."""
from __future__ import annotations

import uuid

from adapt import _convert
from adapt._resource_api import JobResourceAPI, all_pages
from adapt.resources import Dataset, Recording
from adapt.v1 import datasets_pb2, datasets_pb2_grpc


class DatasetsAPI(JobResourceAPI[Dataset]):
    """Datasets: get, list_page, list, cancel, watch (progress events until it finishes) and wait come from
    JobResourceAPI; wait() survives a server restart."""
    resource_type, stub_type, messages = Dataset, datasets_pb2_grpc.DatasetsStub, datasets_pb2
    name, kind = "Dataset", "dataset"

    def create(self, name: str, sources: list[dict], pipeline: list[dict] | None = None,
               labels: dict[str, str] | None = None, request_id: str | None = None, language: str = "",
               provenance: dict | None = None) -> Dataset:
        """Starts importing `sources`; returns at once with a PENDING dataset (see wait()). language: the
        recordings' language code (default "en"); evaluations and fine-tunes decode in it.

        provenance (optional): the recording consent behind the audio, e.g. {"consent_basis": "consent",
        "jurisdictions": ["US-CA"], "collection_start": "2026-01-05", "collection_end": "2026-03-31",
        "document_sha256": "<sha256 of the release forms>"}; revoking it later (client.lineage.revoke_consent)
        revokes every model and voice made from the dataset."""
        request = datasets_pb2.CreateDatasetRequest(
            name=name, sources=[_convert.source(i, s) for i, s in enumerate(sources or [])],
            pipeline=[_convert.step(i, s) for i, s in enumerate(pipeline or [])],
            labels=labels or {}, request_id=request_id or uuid.uuid4().hex, language=language)
        if provenance is not None:
            request.provenance.CopyFrom(_convert.provenance(provenance))
        return self._resource(self._call("CreateDataset", request))

    def delete(self, dataset_id: str) -> int:
        """Deletes a finished dataset; returns how many audio blobs were freed."""
        return self._call("DeleteDataset", datasets_pb2.DeleteDatasetRequest(id=dataset_id)).blobs_removed

    def export(self, dataset_id: str, format: str = "jsonl", split: str = "") -> str:
        """The dataset as text: "jsonl" (NeMo/Lhotse manifest), "rttm" (speaker turns), "ctm" (word times)
        or "audit" (redaction audit); `split` "train"/"holdout" keeps one side ("" all)."""
        request = datasets_pb2.ExportDatasetRequest(dataset_id=dataset_id, format=format, split=split)
        return self._call("ExportDataset", request).text

    def recordings(self, dataset_id: str, page_size: int = 0) -> list[Recording]:
        def page(token: str) -> tuple[list[Recording], str]:
            response = self._call("ListRecordings", datasets_pb2.ListRecordingsRequest(
                dataset_id=dataset_id, page_size=page_size, page_token=token))
            return [Recording.from_proto(r) for r in response.recordings], response.next_page_token
        return list(all_pages(page))
