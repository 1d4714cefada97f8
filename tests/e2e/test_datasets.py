"""Datasets over gRPC against a real `adapt serve`: the docs' snippet, watch, paging, delete, bad input."""
from __future__ import annotations

import json
import os
import uuid

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

import adapt
from adapt.v1 import datasets_pb2, datasets_pb2_grpc
from testkit.audio import stereo_call, tone, write_audio, write_sphere

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

WAIT_S = 300


def _health(target: str, service: str = "") -> int:
    with grpc.insecure_channel(target) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service), timeout=10).status


def _assert_still_serving(server):
    assert server.alive()
    assert _health(server.target) == health_pb2.HealthCheckResponse.SERVING


def test_health_is_serving(server):
    assert _health(server.target) == health_pb2.HealthCheckResponse.SERVING
    assert _health(server.target, "adapt.v1.Datasets") == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_adapt_services(server):
    with grpc.insecure_channel(server.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        [response] = list(stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    names = {s.name for s in response.list_services_response.service}
    assert {"adapt.v1.Datasets", "adapt.v1.Models", "grpc.health.v1.Health"} <= names


def test_docs_snippet_prints_final_stats(client, sample_calls, capsys):
    calls_dir, infos = sample_calls
    dataset = client.datasets.create(name="contact-center-2026q2",
                                     sources=[{"type": "local", "uri": str(calls_dir)}])
    assert dataset.state in (adapt.State.PENDING, adapt.State.RUNNING)
    client.datasets.wait(dataset.id, timeout=WAIT_S)
    print(dataset.stats)
    assert dataset.state == "SUCCEEDED"
    stats = dataset.stats
    assert stats.recordings == len(infos) == 3
    assert abs(stats.hours * 3600 - sum(i.duration_s for i in infos)) < 0.5
    expected_utterances = sum(len(json.loads((calls_dir / f"{i.id}.json").read_text())["segments"]) for i in infos)
    assert stats.utterances == expected_utterances
    expected_speakers = {s["speaker"] for i in infos
                         for s in json.loads((calls_dir / f"{i.id}.json").read_text())["segments"]}
    assert stats.speakers == len(expected_speakers) >= 2
    assert 0.0 < stats.oov_rate < 0.5 and stats.reference_words > 100
    assert stats.top_oov_words and all(c >= 1 for _, c in stats.top_oov_words)
    out = capsys.readouterr().out
    assert f"recordings={stats.recordings}" in out and "oov_rate=" in out
    recordings = dataset.recordings()
    assert {r.source_codec for r in recordings} == {"pcm_mulaw"}
    assert all(r.source_sample_rate == 8000 and r.transcript_format == "json" for r in recordings)


def test_watch_streams_progress_until_the_end(client, mixed_folder):
    dataset = client.datasets.create(name="watched", sources=[{"type": "local", "uri": str(mixed_folder)}])
    events = list(client.datasets.watch(dataset.id, timeout=WAIT_S))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].state == "PENDING" and events[-1].state == "SUCCEEDED"
    assert any(e.progress.stage == "decode" for e in events)
    assert any(e.level == "warning" and "broken.wav" in e.message for e in events)
    resumed = list(client.datasets.watch(dataset.id, after_sequence=events[-2].sequence))
    assert [e.sequence for e in resumed] == [events[-1].sequence]


def test_corrupt_file_is_reported_and_the_rest_ingested(client, mixed_folder, server):
    dataset = client.datasets.create(name="mixed", sources=[{"type": "local", "uri": str(mixed_folder)}])
    dataset.wait(timeout=WAIT_S)
    assert dataset.stats.recordings == 3 and dataset.stats.files_failed == 1
    [issue] = dataset.file_issues
    assert issue.uri.endswith("broken.wav") and issue.stage == "decode" and issue.reason
    by_name = {os.path.basename(r.source_uri): r for r in dataset.recordings()}
    assert by_name["a.flac"].transcript_format == "txt" and by_name["a.flac"].utterances == 1
    assert by_name["b.mp3"].transcript_format == "srt" and by_name["b.mp3"].utterances == 2
    assert abs(by_name["b.mp3"].duration_s - 3.0) < 0.1 and by_name["b.mp3"].source_sample_rate == 44100
    assert by_name["c.wav"].source_codec == "pcm_mulaw" and by_name["c.wav"].speakers == ("agent_x", "caller_y")
    assert dataset.stats.speakers == 2
    _assert_still_serving(server)


def test_every_decodable_format_and_stereo_split(client, source_root):
    folder = source_root / "formats"
    folder.mkdir()
    names = {"wav": "pcm.wav", "flac": "a.flac", "mp3": "a.mp3", "opus": "a.opus", "m4a": "a.m4a",
             "mulaw.wav": "telephony.wav"}
    for kind, name in names.items():
        write_audio(folder / name, tone(1.5, 16000), 16000, kind)
    write_sphere(folder / "old_corpus.sph", tone(2.0, 8000), 8000)
    write_audio(folder / "call_stereo.wav", stereo_call(), 8000, "mulaw.wav")
    plain = client.datasets.create(name="formats", sources=[{"type": "local", "uri": str(folder)}]).wait(WAIT_S)
    assert plain.stats.recordings == 8 and not plain.file_issues
    split = client.datasets.create(name="formats-split", sources=[
        {"type": "local", "uri": f"file://{folder}", "options": {"channels": "split"}}]).wait(WAIT_S)
    stereo = [r for r in split.recordings() if r.source_uri.endswith("call_stereo.wav")]
    assert sorted(r.channel for r in stereo) == [0, 1]
    assert split.stats.recordings == 9


def test_list_pages_through_every_dataset(client, mixed_folder):
    created = {client.datasets.create(name=f"page-{i}", sources=[{"type": "local", "uri": str(mixed_folder / "a.flac")}]).id
               for i in range(3)}
    first, token = client.datasets.list_page(page_size=2)
    assert len(first) == 2 and token
    seen = [d.id for d in client.datasets.list(page_size=2)]
    assert len(seen) == len(set(seen)) and created <= set(seen)
    with pytest.raises(adapt.InvalidArgumentError, match="page_token"):
        client.datasets.list_page(page_size=2, page_token="garbage!")
    with pytest.raises(adapt.InvalidArgumentError, match="page_size"):
        client.datasets.list_page(page_size=-1)


def test_delete_removes_the_dataset_and_its_unshared_audio(client, source_root, server):
    folder = source_root / "to-delete"
    folder.mkdir()
    write_audio(folder / "unique.wav", tone(1.0, 16000, 1234), 16000, "wav")
    dataset = client.datasets.create(name="doomed", sources=[{"type": "local", "uri": str(folder)}]).wait(WAIT_S)
    assert client.datasets.delete(dataset.id) == 1
    with pytest.raises(adapt.NotFoundError):
        client.datasets.get(dataset.id)
    with pytest.raises(adapt.NotFoundError):
        client.datasets.delete(dataset.id)
    _assert_still_serving(server)


def test_same_request_id_is_idempotent_and_reuse_is_refused(client, mixed_folder, server):
    request_id = uuid.uuid4().hex
    source = [{"type": "local", "uri": str(mixed_folder / "a.flac")}]
    first = client.datasets.create(name="idem", sources=source, request_id=request_id)
    again = client.datasets.create(name="idem", sources=source, request_id=request_id)
    assert again.id == first.id
    with pytest.raises(adapt.AlreadyExistsError, match="request_id"):
        client.datasets.create(name="other", sources=source, request_id=request_id)
    _assert_still_serving(server)


@pytest.mark.parametrize("sources, error, fragment", [
    ([{"type": "local", "uri": "/definitely/missing/path"}], adapt.PermissionDeniedError, "outside every source root"),
    ([{"type": "local", "uri": "../../etc"}], adapt.PermissionDeniedError, "outside every source root"),
    ([{"type": "local", "uri": "/etc/passwd"}], adapt.PermissionDeniedError, "outside every source root"),
    ([{"type": "ftp", "uri": "x"}], adapt.InvalidArgumentError, "not a source type"),
    ([{"uri": "x"}], adapt.InvalidArgumentError, "type is required"),
    ([{"type": "local"}], adapt.InvalidArgumentError, "uri is required"),
    ([{"type": "local", "uri": 42}], adapt.InvalidArgumentError, "must be a string"),
    (["just-a-string"], adapt.InvalidArgumentError, "must be a dict"),
    ([{"type": "local", "uri": "mixed", "options": {"channels": 2}}], adapt.InvalidArgumentError, "channels"),
    ([{"type": "local", "uri": "mixed", "options": {"recursive": "yes"}}], adapt.InvalidArgumentError, "recursive"),
    ([], adapt.InvalidArgumentError, "sources is empty"),
])
def test_bad_sources_get_a_canonical_status(client, server, mixed_folder, sources, error, fragment):
    with pytest.raises(error, match=fragment):
        client.datasets.create(name="bad", sources=sources)
    _assert_still_serving(server)


def test_missing_path_inside_the_root_is_not_found(client, source_root, server):
    with pytest.raises(adapt.NotFoundError, match="does not exist"):
        client.datasets.create(name="bad", sources=[{"type": "local", "uri": str(source_root / "nope")}])
    _assert_still_serving(server)


def test_symlink_escaping_the_root_is_refused(client, source_root, tmp_path, server):
    outside = tmp_path / "outside"
    outside.mkdir()
    write_audio(outside / "secret.wav", tone(1.0), 16000, "wav")
    (source_root / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(adapt.PermissionDeniedError, match="outside every source root"):
        client.datasets.create(name="escape", sources=[{"type": "local", "uri": str(source_root / "escape")}])
    inner = source_root / "with-escaping-file"
    inner.mkdir()
    write_audio(inner / "ok.wav", tone(1.0), 16000, "wav")
    (inner / "leak.wav").symlink_to(outside / "secret.wav")
    dataset = client.datasets.create(name="inner", sources=[{"type": "local", "uri": str(inner)}]).wait(WAIT_S)
    assert dataset.stats.recordings == 1
    [issue] = dataset.file_issues
    assert issue.uri.endswith("leak.wav") and "outside every source root" in issue.reason
    _assert_still_serving(server)


def test_empty_folder_is_refused(client, source_root, server):
    (source_root / "empty").mkdir()
    (source_root / "empty" / "notes.txt").write_text("no audio here")
    with pytest.raises(adapt.InvalidArgumentError, match="holds no audio files"):
        client.datasets.create(name="empty", sources=[{"type": "local", "uri": str(source_root / "empty")}])
    _assert_still_serving(server)


def test_unknown_pipeline_step_is_named(client, mixed_folder, server):
    with pytest.raises(adapt.InvalidArgumentError, match="unknown step 'transmogrify'"):
        client.datasets.create(name="steps", sources=[{"type": "local", "uri": str(mixed_folder)}],
                               pipeline=[{"step": "transmogrify"}])
    _assert_still_serving(server)


def test_a_folder_of_only_corrupt_files_fails_with_the_reason(client, source_root, server):
    folder = source_root / "all-bad"
    folder.mkdir()
    (folder / "x.wav").write_bytes(b"not audio at all" * 100)
    (folder / "y.mp3").write_bytes(b"")
    dataset = client.datasets.create(name="all-bad", sources=[{"type": "local", "uri": str(folder)}])
    with pytest.raises(adapt.JobFailedError, match="none of the 2 audio files") as failure:
        dataset.wait(timeout=WAIT_S)
    assert failure.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert dataset.state == "FAILED" and len(dataset.file_issues) == 2
    _assert_still_serving(server)


def test_unknown_dataset_is_not_found_over_the_raw_stub(server):
    with grpc.insecure_channel(server.target) as channel:
        stub = datasets_pb2_grpc.DatasetsStub(channel)
        with pytest.raises(grpc.RpcError) as err:
            stub.GetDataset(datasets_pb2.GetDatasetRequest(id="ds_nope"), timeout=10)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND and "ds_nope" in err.value.details()
