"""adapt.v1.Datasets: thin translation between messages and DatasetService."""
from __future__ import annotations

from adapt.v1 import datasets_pb2, datasets_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.api.watch import job_events


def dataset_message(s, record) -> datasets_pb2.Dataset:
    """The Dataset message of a record, with its file issues and provenance (s: this thread's Services)."""
    message = convert.dataset(record, s.datasets.file_issues(record.id))
    provenance = s.lineage.provenance(record.id)
    if provenance is not None:
        message.provenance.CopyFrom(datasets_pb2.DatasetProvenance(
            **provenance.fields, consent_id=provenance.consent_id, revoked=provenance.revoked_at is not None,
            revoked_reason=provenance.revoked_reason, revoke_time=convert.timestamp(provenance.revoked_at)))
    return message


def provenance_from_proto(request) -> dict | None:
    if not request.HasField("provenance"):
        return None
    p = request.provenance
    return {"consent_basis": p.consent_basis, "jurisdictions": list(p.jurisdictions),
            "collection_start": p.collection_start, "collection_end": p.collection_end,
            "document_sha256": p.document_sha256, "document_uri": p.document_uri, "notes": p.notes}


class DatasetsServicer(datasets_pb2_grpc.DatasetsServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    async def _message(self, dataset_id: str) -> datasets_pb2.Dataset:
        return await self.runner.run(lambda s: dataset_message(s, s.datasets.get(dataset_id)))

    @handle_errors
    async def CreateDataset(self, request, context):
        sources = convert.sources_from_proto(request.sources)
        pipeline = convert.pipeline_from_proto(request.pipeline)
        provenance = provenance_from_proto(request)
        record = await self.runner.run(lambda s: s.datasets.create(
            request.name, sources, pipeline, dict(request.labels), request.request_id, request.language, provenance))
        return await self._message(record.id)

    @handle_errors
    async def GetDataset(self, request, context):
        return await self._message(request.id)

    @handle_errors
    async def ListDatasets(self, request, context):
        items, token = await self.runner.page(lambda s, size: s.datasets.list(size, request.page_token),
                                              request.page_size, dataset_message)
        return datasets_pb2.ListDatasetsResponse(datasets=items, next_page_token=token)

    @handle_errors
    async def DeleteDataset(self, request, context):
        removed = await self.runner.run(lambda s: s.datasets.delete(request.id))
        return datasets_pb2.DeleteDatasetResponse(id=request.id, blobs_removed=removed)

    @handle_errors
    async def CancelDataset(self, request, context):
        await self.runner.run(lambda s: s.datasets.cancel(request.id))
        return await self._message(request.id)

    @handle_errors
    async def ListRecordings(self, request, context):
        rows, token = await self.runner.page(
            lambda s, size: s.datasets.recordings(request.dataset_id, size, request.page_token), request.page_size,
            lambda s, row: convert.recording(row))
        return datasets_pb2.ListRecordingsResponse(recordings=rows, next_page_token=token)

    @handle_errors
    async def ExportDataset(self, request, context):
        text, records = await self.runner.run(
            lambda s: s.datasets.export(request.dataset_id, request.format or "jsonl", request.split))
        return datasets_pb2.ExportDatasetResponse(format=request.format or "jsonl", text=text, records=records)

    @handle_errors
    async def WatchDataset(self, request, context):
        """Streams the dataset's event log from after_sequence; ends after the terminal event."""
        record = await self.runner.run(lambda s: s.datasets.get(request.id))
        async for event in job_events(self.runner, record.job.id, request.id, request.after_sequence):
            yield event
