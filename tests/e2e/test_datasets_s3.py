"""S3 sources over gRPC (quick: tones, no model steps): a bucket on a loopback S3-compatible server (moto,
signatures and IAM checked) ingested with vad + split; export; and every bad input of the intake issue gets
its canonical status while the stored dataset loses nothing and the server keeps serving."""
from __future__ import annotations

import json

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import adapt
from testkit.audio import stereo_call, tone, write_audio
from testkit.s3server import serve_bucket
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

WAIT_S = 300
BUCKET, PREFIX = "internal", "calls/2026-q1/"


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bucket")
    (folder / "day1").mkdir()
    for i in range(4):
        write_audio(folder / "day1" / f"call{i}.wav", tone(2.0 + i, 16000, 300 + 100 * i), 16000, "wav")
        (folder / "day1" / f"call{i}.json").write_text(json.dumps({"segments": [
            {"start": 0.2, "end": 1.5, "speaker": f"agent{i % 2}", "text": "thanks for calling"}]}))
    write_audio(folder / "stereo.wav", stereo_call(), 8000, "mulaw.wav")
    write_audio(folder / "bad_sidecar.wav", tone(1.0, 16000, 900), 16000, "wav")
    (folder / "bad_sidecar.json").write_text('{"segments": [')
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not audio")
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 40)
    server, env = serve_bucket(tmp_path_factory.mktemp("moto"), BUCKET, PREFIX, folder)
    yield server, env
    server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, source_root, moto):
    allowed = ["--s3-endpoint", moto[0].endpoint_url]  # the operator's allow-lists (issue 16, defect 5)
    for profile in ("wrong", "stranger", "nobody"):
        allowed += ["--s3-profile", profile]
    proc = ServerProcess(tmp_path_factory.mktemp("data") / "adapt-data", [source_root], env=moto[1],
                         extra_args=allowed).start()
    yield proc
    if proc.alive():
        proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        yield c


def _source(moto, uri=f"s3://{BUCKET}/{PREFIX}", **options) -> dict:
    return {"type": "s3", "uri": uri, "endpoint_url": moto[0].endpoint_url, **options}


@pytest.fixture(scope="module")
def dataset(client, moto):
    dataset = client.datasets.create(name="from-s3", sources=[_source(moto)],
                                     pipeline=[{"step": "vad"}, {"step": "split", "holdout": 0.3, "seed": 1}])
    return dataset.wait(timeout=WAIT_S)


def _health(target: str) -> int:
    with grpc.insecure_channel(target) as channel:
        return health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status


def test_a_bucket_is_ingested_with_sidecars_and_per_object_issues(dataset):
    assert dataset.state == "SUCCEEDED"
    assert dataset.stats.recordings == 6 and dataset.stats.files_failed == 2
    issues = {i.uri: i for i in dataset.file_issues}
    assert issues[f"s3://{BUCKET}/{PREFIX}notes.pdf"].stage == "source"
    assert issues[f"s3://{BUCKET}/{PREFIX}broken.wav"].stage == "decode"
    sidecar = issues[f"s3://{BUCKET}/{PREFIX}bad_sidecar.json"]  # named by its uri, not a temporary download
    assert sidecar.stage == "transcript" and sidecar.reason.startswith(f"s3://{BUCKET}/{PREFIX}bad_sidecar.json:")
    recordings = {r.source_uri.rsplit("/", 1)[1]: r for r in dataset.recordings()}
    assert recordings["call2.wav"].transcript_format == "json" and recordings["call2.wav"].utterances == 1
    assert recordings["stereo.wav"].source_channels == 2 and recordings["stereo.wav"].source_codec == "pcm_mulaw"
    assert abs(recordings["call3.wav"].duration_s - 5.0) < 0.05
    assert dataset.stats.speakers == 2 and dataset.stats.utterances == 4


def test_vad_and_split_steps(client, dataset):
    stats = dataset.stats
    assert stats.train_recordings + stats.holdout_recordings == 6 and stats.holdout_recordings >= 1
    assert 0 <= stats.speech_hours <= stats.hours
    holdout = [json.loads(line) for line in client.datasets.export(dataset.id, split="holdout").splitlines()]
    assert all(row["split"] == "holdout" for row in holdout)
    assert [s["step"] for s in dataset.pipeline] == ["vad", "split"]
    assert dataset.pipeline[1]["by"] == "recording" and dataset.pipeline[1]["holdout"] == 0.3


def test_split_channels_option_applies_to_s3(client, moto):
    dataset = client.datasets.create(name="stereo", sources=[_source(moto, uri=f"s3://{BUCKET}/{PREFIX}stereo.wav",
                                                                     channels="split")]).wait(WAIT_S)
    assert sorted(r.channel for r in dataset.recordings()) == [0, 1]


@pytest.mark.parametrize("make, error, fragment", [
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "transmogrify"}]),
     adapt.InvalidArgumentError, "unknown step 'transmogrify'"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "align"}, {"step": "redact", "entities": ["pii", "gossip"]}]),
     adapt.InvalidArgumentError, "unknown entity group 'gossip'"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "redact"}, {"step": "align"}]),
     adapt.InvalidArgumentError, "valid order: vad -> diarize -> align -> redact -> split"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "split"}, {"step": "diarize"}]),
     adapt.InvalidArgumentError, "valid order"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "align", "min_confidence": 2}]),
     adapt.InvalidArgumentError, "min_confidence must be a number in [0.0, 1.0]"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "align", "model": "whisper-huge"}]),
     adapt.NotFoundError, "'whisper-huge' is not a model of this server"),
    (lambda m: dict(sources=[_source(m)], pipeline=[{"step": "diarize", "model": "pyannote", "path": "/nope/x.yaml"}]),
     adapt.FailedPreconditionError, "does not exist on the server"),
    (lambda m: dict(sources=[_source(m, uri="s3://no-such-bucket/calls/")]), adapt.NotFoundError,
     "bucket 'no-such-bucket' does not exist"),
    (lambda m: dict(sources=[_source(m, profile="wrong")]), adapt.UnauthenticatedError, "SignatureDoesNotMatch"),
    (lambda m: dict(sources=[_source(m, profile="stranger")]), adapt.PermissionDeniedError, "access denied"),
    (lambda m: dict(sources=[_source(m, profile="nobody")]), adapt.InvalidArgumentError, "'nobody' is not a profile"),
    (lambda m: dict(sources=[_source(m, uri="s3://empty/")]), adapt.InvalidArgumentError, "holds no audio objects"),
    (lambda m: dict(sources=[_source(m, endpoint_url="ftp://x")]), adapt.InvalidArgumentError, "http(s) URL"),
    (lambda m: dict(sources=[{"type": "s3", "uri": "s3://internal/x/", "endpoint_url": "http://127.0.0.1:9"}]),
     adapt.PermissionDeniedError, "not an S3 endpoint this server may use"),
    (lambda m: dict(sources=[_source(m, profile="production")]), adapt.PermissionDeniedError,
     "not an AWS profile this server may use"),
])
def test_bad_input_gets_its_status_and_loses_nothing(client, server, moto, dataset, make, error, fragment):
    before, stats_before = client.datasets.export(dataset.id), client.datasets.get(dataset.id).stats
    with pytest.raises(error) as raised:
        client.datasets.create(name="bad", **make(moto))
    assert fragment in raised.value.message
    assert server.alive() and _health(server.target) == health_pb2.HealthCheckResponse.SERVING
    again = client.datasets.get(dataset.id)  # a fresh stats object (the SDK updates the resource in place)
    assert again.state == "SUCCEEDED" and again.stats == stats_before and again.stats is not stats_before
    assert client.datasets.export(dataset.id) == before


def test_export_needs_a_finished_dataset_and_a_known_format(client, dataset):
    with pytest.raises(adapt.InvalidArgumentError, match="format 'csv'"):
        client.datasets.export(dataset.id, format="csv")
    with pytest.raises(adapt.NotFoundError):
        client.datasets.export("ds_nope")
