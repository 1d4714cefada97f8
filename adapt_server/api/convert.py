"""Domain records <-> adapt.v1 messages. No business logic here."""
from __future__ import annotations

from google.protobuf import json_format, struct_pb2, timestamp_pb2

from adapt.v1 import common_pb2, datasets_pb2, models_pb2
from adapt_server.errors import InvalidArgument
from adapt_server.store.datasets import DatasetRecord, FileIssueRow, RecordingRow, dataset_language
from adapt_server.store.jobs import Job, JobEvent, Progress
from adapt_server.store.models import ModelRecord


def timestamp(unix_seconds: float | None) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    if unix_seconds:
        ts.FromNanoseconds(int(unix_seconds * 1e9))
    return ts


def struct(data: dict | None) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    if data:
        message.update(data)
    return message


def struct_to_dict(message: struct_pb2.Struct, where: str = "a Struct field") -> dict:
    """A request's Struct as a dict (api/limits.py has already refused NaN and infinities, naming the field)."""
    try:
        return json_format.MessageToDict(message)
    except (ValueError, json_format.Error) as exc:
        raise InvalidArgument(f"{where} cannot be read as JSON ({type(exc).__name__}); send finite numbers, "
                              "strings, booleans, lists and objects") from None


def progress(p: Progress) -> common_pb2.Progress:
    return common_pb2.Progress(fraction=p.fraction, stage=p.stage, done=p.done, total=p.total, unit=p.unit,
                               eta_seconds=p.eta_seconds, message=p.message)


def error(job: Job) -> common_pb2.ErrorInfo | None:
    if not job.error_code:
        return None
    return common_pb2.ErrorInfo(code=job.error_code, message=job.error_message or "")


INTERNAL_DETAILS = ("traceback",)  # event details that stay on the server (events stored by older versions)


def event(e: JobEvent, resource_id: str) -> common_pb2.Event:
    details = {k: v for k, v in (e.details or {}).items() if k not in INTERNAL_DETAILS}
    return common_pb2.Event(sequence=e.seq, time=timestamp(e.time), resource_id=resource_id,
                            state=common_pb2.State.Value(e.state), progress=progress(e.progress),
                            level=e.level, message=e.message, details=struct(details))


def sources_from_proto(sources) -> list[dict]:
    return [{"type": s.type, "uri": s.uri, "options": struct_to_dict(s.options, f"sources[{i}].options")}
            for i, s in enumerate(sources)]


def pipeline_from_proto(steps) -> list[dict]:
    return [{"step": s.step, "params": struct_to_dict(s.params, f"pipeline[{i}].params")} for i, s in enumerate(steps)]


def dataset(record: DatasetRecord, issues: list[FileIssueRow]) -> datasets_pb2.Dataset:
    job, spec = record.job, record.spec
    stats = dict(record.stats)
    top = stats.pop("top_oov_words", [])
    redactions = stats.pop("redactions", [])
    known = datasets_pb2.DatasetStats.DESCRIPTOR.fields_by_name
    stats = {k: v for k, v in stats.items() if k in known}  # stats stored by another server version
    return datasets_pb2.Dataset(
        id=record.id, name=record.name, state=common_pb2.State.Value(job.state), progress=progress(job.progress),
        error=error(job), create_time=timestamp(record.created_at), update_time=timestamp(job.updated_at),
        sources=[datasets_pb2.Source(type=s["type"], uri=s["uri"], options=struct(s["options"]))
                 for s in spec["sources"]],
        pipeline=[datasets_pb2.PipelineStep(step=s["step"], params=struct(s["params"])) for s in spec["pipeline"]],
        stats=datasets_pb2.DatasetStats(**stats, top_oov_words=[datasets_pb2.WordCount(**w) for w in top],
                                        redactions=[datasets_pb2.EntityCount(**c) for c in redactions]),
        file_issues=[datasets_pb2.FileIssue(uri=i.uri, stage=i.stage, reason=i.reason) for i in issues],
        labels=spec.get("labels", {}), request_id=record.request_id or "", language=dataset_language(spec))


def recording(r: RecordingRow) -> datasets_pb2.Recording:
    return datasets_pb2.Recording(
        id=r.id, dataset_id=r.dataset_id, source_uri=r.source_uri, channel=r.channel, duration_s=r.duration_s,
        audio_sha256=r.audio_sha256, source_sample_rate=r.source_sample_rate, source_channels=r.source_channels,
        source_codec=r.source_codec, transcript_format=r.transcript_format, utterances=r.utterances,
        speakers=list(r.speakers), speech_s=r.speech_s or 0.0,
        alignment_score=-1.0 if r.alignment_score is None else r.alignment_score, redacted=r.redacted,
        split=r.split)


def model(m: ModelRecord) -> models_pb2.Model:
    return models_pb2.Model(
        id=m.id, kind=models_pb2.ModelKind.Value(m.kind), family=m.family, format=m.format,
        base_model=m.base_model, multilingual=m.multilingual, n_mels=m.n_mels, size_bytes=m.size_bytes,
        sha256=m.sha256, path=m.path, create_time=timestamp(m.created_at), lineage=struct(m.lineage),
        labels=m.labels, description=m.description, role=m.role, languages=list(m.languages),
        parameters=m.parameters, architecture=m.architecture)
