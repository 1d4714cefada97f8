"""adapt.v1.Evaluations: thin translation between messages and EvaluationService."""
from __future__ import annotations

import math

from google.protobuf import json_format

from adapt.v1 import common_pb2, evaluations_pb2, evaluations_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.api.watch import job_events
from adapt_server.evaluation.spec import PUBLIC_NAMES
from adapt_server.store.evaluations import EvaluationRecord, HypothesisRow

GATE_LIMITS = ("max_rtf", "max_hallucination_rate", "max_reference_regression")


def gates_from_proto(gates: evaluations_pb2.Gates) -> dict:
    data = {name: getattr(gates, name) for name in GATE_LIMITS if gates.HasField(name)}
    for name in ("reference_dataset_id", "reference_baseline", "reference_metric"):
        if getattr(gates, name):
            data[name] = getattr(gates, name)
    return data


def evaluation_to_proto(record: EvaluationRecord) -> evaluations_pb2.Evaluation:
    spec, job = record.spec, record.job
    gates = spec["gates"]
    message = evaluations_pb2.Evaluation(
        id=record.id, name=record.name, state=common_pb2.State.Value(job.state),
        progress=convert.progress(job.progress), error=convert.error(job),
        create_time=convert.timestamp(record.created_at), update_time=convert.timestamp(job.updated_at),
        dataset_id=record.dataset_id, candidates=spec["candidates"],
        metrics=[PUBLIC_NAMES[m] for m in spec["metrics"]], split=spec["split"],
        primary_metric=PUBLIC_NAMES[spec["primary"]], normalizer=spec["normalizer"],
        gates=evaluations_pb2.Gates(
            **{name: gates[name] for name in GATE_LIMITS if gates.get(name) is not None},
            reference_dataset_id=spec.get("reference_dataset_id", ""),
            reference_baseline=gates.get("reference_baseline") or "",
            reference_metric=gates.get("reference_metric") or ""),
        request_id=record.request_id or "", labels=record.labels)
    if record.result:
        result = dict(record.result)
        result["primary_metric"] = PUBLIC_NAMES.get(result.get("primary_metric"), result.get("primary_metric", ""))
        result["comparisons"] = [{**c, "metric": PUBLIC_NAMES.get(c["metric"], c["metric"])}
                                 for c in result.get("comparisons", [])]
        json_format.ParseDict(result, message.result)
    return message


def utterance_to_proto(row: HypothesisRow) -> evaluations_pb2.UtteranceResult:
    score = row.score
    return evaluations_pb2.UtteranceResult(
        model_id=row.model_id, utterance_id=row.utterance_id, recording_id=row.recording_id, speaker=row.speaker,
        source=row.source, reference=row.reference, hypothesis=row.hypothesis,
        reference_normalized=score.get("reference_normalized", ""),
        hypothesis_normalized=score.get("hypothesis_normalized", ""),
        reference_words=score.get("reference_words", 0), substitutions=score.get("substitutions", 0),
        deletions=score.get("deletions", 0), insertions=score.get("insertions", 0),
        wer=float(score["wer"]) if score.get("wer") is not None else math.nan,
        audio_s=row.audio_s, processing_s=row.processing_s, repetition_loop=score.get("repetition_loop", False),
        nonspeech_words=row.nonspeech_words,
        alignment=[evaluations_pb2.AlignedWord(op=op, ref=ref, hyp=hyp) for op, ref, hyp in score.get("alignment", [])],
        start=row.start_s or 0.0, end=row.end_s if row.end_s is not None else row.audio_s)


class EvaluationsServicer(evaluations_pb2_grpc.EvaluationsServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    async def _call(self, fn):
        """fn(EvaluationService) in a worker thread (this thread's SQLite connection)."""
        return await self.runner.run(lambda s: fn(s.evaluations))

    @handle_errors
    async def CreateEvaluation(self, request, context):
        record = await self._call(lambda e: e.create(
            request.dataset_id, list(request.candidates), list(request.metrics), request.split,
            request.primary_metric, request.normalizer, gates_from_proto(request.gates), request.name,
            dict(request.labels), request.request_id))
        return evaluation_to_proto(record)

    @handle_errors
    async def GetEvaluation(self, request, context):
        return evaluation_to_proto(await self._call(lambda e: e.get(request.id)))

    @handle_errors
    async def ListEvaluations(self, request, context):
        items, token = await self.runner.page(
            lambda s, size: s.evaluations.list(size, request.page_token, dataset_id=request.dataset_id),
            request.page_size, lambda s, record: evaluation_to_proto(record))
        return evaluations_pb2.ListEvaluationsResponse(evaluations=items, next_page_token=token)

    @handle_errors
    async def CancelEvaluation(self, request, context):
        return evaluation_to_proto(await self._call(lambda e: e.cancel(request.id)))

    @handle_errors
    async def DeleteEvaluation(self, request, context):
        await self._call(lambda e: e.delete(request.id))
        return evaluations_pb2.DeleteEvaluationResponse(id=request.id)

    @handle_errors
    async def ListUtteranceResults(self, request, context):
        items, token = await self.runner.page(
            lambda s, size: s.evaluations.utterance_results(request.evaluation_id, request.model_id,
                                                            request.errors_only, size, request.page_token),
            request.page_size, lambda s, row: utterance_to_proto(row))
        return evaluations_pb2.ListUtteranceResultsResponse(utterances=items, next_page_token=token)

    @handle_errors
    async def WatchEvaluation(self, request, context):
        """Streams the evaluation's event log from after_sequence; ends after the terminal event."""
        record = await self._call(lambda e: e.get(request.id))
        async for event in job_events(self.runner, record.job.id, request.id, request.after_sequence):
            yield event
