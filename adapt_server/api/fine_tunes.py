"""adapt.v1.FineTunes: thin translation between messages and FineTuneService."""
from __future__ import annotations

from adapt.v1 import common_pb2, fine_tunes_pb2, fine_tunes_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.api.watch import job_events
from adapt_server.store.fine_tunes import FineTuneRecord


def fine_tune_message(s, record: FineTuneRecord) -> fine_tunes_pb2.FineTune:
    """The FineTune message of a record; its model_id once the model is registered (s: this thread's Services)."""
    job, model_registered = record.job, s.fine_tunes.model_registered(record)
    return fine_tunes_pb2.FineTune(
        id=record.id, state=common_pb2.State.Value(job.state), progress=convert.progress(job.progress),
        error=convert.error(job), create_time=convert.timestamp(record.created_at),
        update_time=convert.timestamp(job.updated_at), base_model=record.base_model, dataset_id=record.dataset_id,
        hyperparameters=convert.struct(record.hyperparameters),
        validation=fine_tunes_pb2.ValidationOptions(split=record.validation.split,
                                                    holdout_fraction=record.validation.holdout_fraction,
                                                    forgetting_budget=record.validation.forgetting_budget,
                                                    forgetting_reference=record.validation.forgetting_reference),
        model_id=record.model_id if (job.state == "SUCCEEDED" and model_registered) else "",
        metrics=convert.struct(record.metrics), export_formats=list(record.exports or record.export_formats),
        labels=record.labels,
        request_id=record.request_id or "", mixin_dataset_id=record.mixin_dataset_id)


class FineTunesServicer(fine_tunes_pb2_grpc.FineTunesServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    async def _call(self, fn) -> fine_tunes_pb2.FineTune:
        """fn(FineTuneService) -> FineTuneRecord in a worker thread, as a message."""
        return await self.runner.run(lambda s: fine_tune_message(s, fn(s.fine_tunes)))

    @handle_errors
    async def CreateFineTune(self, request, context):
        validation = ({"split": request.validation.split, "holdout_fraction": request.validation.holdout_fraction}
                      if request.HasField("validation") else {})
        validation = {k: v for k, v in validation.items() if v}
        if request.HasField("validation"):
            if request.validation.HasField("forgetting_budget"):
                validation["forgetting_budget"] = request.validation.forgetting_budget
            if request.validation.forgetting_reference:
                validation["forgetting_reference"] = request.validation.forgetting_reference
        return await self._call(lambda f: f.create(
            request.base_model, request.dataset_id, convert.struct_to_dict(request.hyperparameters, "hyperparameters"), validation,
            dict(request.labels), request.request_id, list(request.export_formats), request.mixin_dataset_id))

    @handle_errors
    async def GetFineTune(self, request, context):
        return await self._call(lambda f: f.get(request.id))

    @handle_errors
    async def ListFineTunes(self, request, context):
        items, token = await self.runner.page(lambda s, size: s.fine_tunes.list(size, request.page_token),
                                              request.page_size, fine_tune_message)
        return fine_tunes_pb2.ListFineTunesResponse(fine_tunes=items, next_page_token=token)

    @handle_errors
    async def CancelFineTune(self, request, context):
        return await self._call(lambda f: f.cancel(request.id))

    @handle_errors
    async def WatchFineTune(self, request, context):
        """Streams the fine-tune's event log from after_sequence; ends after the terminal event."""
        record = await self.runner.run(lambda s: s.fine_tunes.get(request.id))
        async for event in job_events(self.runner, record.job.id, request.id, request.after_sequence):
            yield event
