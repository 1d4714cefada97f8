"""`adapt serve --executor ray` against a real local Ray cluster of two worker processes, over gRPC: an intake,
an evaluation and a data-parallel fine-tune give the results of the local executor; the server killed mid-job
resumes without losing or duplicating committed work; with `--blob-store s3://...` the Ray workers reach
inputs and outputs through S3 only (a real S3 server on loopback)."""
from __future__ import annotations

import json
import sqlite3

import pytest

import adapt
from testkit.audio import tone, write_audio
from testkit.ray_cluster import RayCluster
from testkit.s3server import MotoS3Server
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow

WAIT_S = 600
CANDIDATES = ["whisper-tiny.en"]
SHARDS = {"ADAPT_EVAL_SHARD_AUDIO_S": "30"}  # several evaluation shards of these short calls, on both servers
FINE_TUNE = {"strategy": "frozen_encoder", "max_steps": 2, "batch_size": 4, "micro_batch_size": 2,
             "learning_rate": 1e-4, "seed": 3}
WRITE_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "*"}]}


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    work = tmp_path_factory.mktemp("s3")
    server = MotoS3Server(work / "moto.log").start()
    server.client().create_bucket(Bucket="adapt-blobs")
    writer = server.create_user("writer", WRITE_POLICY)
    server.enable_auth()
    env = {"AWS_ACCESS_KEY_ID": writer.key_id, "AWS_SECRET_ACCESS_KEY": writer.secret,
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_SHARED_CREDENTIALS_FILE": str(work / "absent"), "AWS_CONFIG_FILE": str(work / "absent")}
    yield server, env
    server.stop()


@pytest.fixture(scope="module")
def cluster(s3, tmp_path_factory):
    """Two worker processes (2 CPUs); its workers get the S3 credentials and a node cache of their own."""
    _, env = s3
    started = RayCluster(cpus=2, env={**env, "ADAPT_NODE_CACHE_DIR": str(tmp_path_factory.mktemp("node-cache"))})
    yield started.start()
    started.stop()


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("ray-sources")
    generate_calls(root / "gen", n_calls=2, seed=5, split="train", min_turns=9, max_turns=9)
    return root


def run_workflow(server: ServerProcess, folder) -> dict:
    """Intake, evaluation and fine-tune over gRPC; returns what they stored, keyed by what does not depend on
    the server (source files, utterance positions)."""
    with adapt.Client(server.target) as client:
        dataset = client.datasets.create(name="calls", sources=[{"type": "local", "uri": str(folder)}])
        dataset = client.datasets.wait(dataset.id, timeout=WAIT_S)
        assert dataset.state == "SUCCEEDED"
        evaluation = client.evaluations.create(dataset_id=dataset.id, candidates=CANDIDATES, metrics=["wer"])
        evaluation = client.evaluations.wait(evaluation.id, timeout=WAIT_S)
        assert evaluation.state == "SUCCEEDED"
        evaluation_events = [e.message for e in client.evaluations.watch(evaluation.id)]
        tune = client.fine_tunes.create(base_model="whisper-tiny.en", dataset_id=dataset.id,
                                        hyperparameters=FINE_TUNE, export_formats=["ctranslate2"])
        tune = client.fine_tunes.wait(tune.id, timeout=WAIT_S)
        assert tune.state == "SUCCEEDED", tune
        events = [e.message for e in client.fine_tunes.watch(tune.id)]
    db = sqlite3.connect(server.data_dir / "adapt.sqlite3")
    recordings = {uri: (sha, round(duration, 6)) for uri, sha, duration in db.execute(
        "SELECT source_uri, audio_sha256, duration_s FROM recordings WHERE dataset_id = ?", [dataset.id])}
    utterances = sorted((uri, idx, start, end, speaker, text) for uri, idx, start, end, speaker, text in db.execute(
        "SELECT r.source_uri, u.idx, u.start_s, u.end_s, u.speaker, u.text FROM utterances u "
        "JOIN recordings r ON r.id = u.recording_id WHERE u.dataset_id = ?", [dataset.id]))
    hypotheses = sorted(db.execute(
        "SELECT h.model_id, r.source_uri, h.start_s, h.hypothesis FROM evaluation_utterances h JOIN recordings r "
        "ON r.id = h.recording_id WHERE h.evaluation_id = ?", [evaluation.id]))
    stats = json.loads(db.execute("SELECT stats FROM datasets WHERE id = ?", [dataset.id]).fetchone()[0])
    result = json.loads(db.execute("SELECT result FROM evaluations WHERE id = ?", [evaluation.id]).fetchone()[0])
    metrics = json.loads(db.execute("SELECT metrics FROM fine_tunes WHERE id = ?", [tune.id]).fetchone()[0])
    db.close()
    return {"recordings": recordings, "utterances": utterances, "hypotheses": hypotheses, "stats": stats,
            "wer": {row["model_id"]: row["wer"] for row in result["leaderboard"]}, "winner": result["winner"],
            "fine_tune": metrics, "fine_tune_events": events, "evaluation_events": evaluation_events}


def test_intake_evaluation_and_fine_tune_on_ray_match_the_local_executor(cluster, calls, tmp_path):
    folder = calls / "gen" / "calls"
    local = ServerProcess(tmp_path / "local", [calls], env=SHARDS).start()
    try:
        expected = run_workflow(local, folder)
    finally:
        local.stop()
    on_ray = ServerProcess(tmp_path / "ray", [calls], env=SHARDS, extra_args=[
        "--executor", "ray", "--ray-address", cluster.address, "--train-world-size", "2",
        "--checkpoint-interval", "0"]).start()
    try:
        got = run_workflow(on_ray, folder)
    finally:
        on_ray.stop()
    for key in ("recordings", "utterances", "hypotheses", "stats", "wer", "winner"):
        assert got[key] == expected[key], key
    assert len(got["hypotheses"]) == len(CANDIDATES) * got["stats"]["utterances"]
    [line] = [m for m in got["evaluation_events"] if "shards to run on the ray executor" in m]
    assert int(line.split()[0]) >= 2, line
    # the fine-tune ran on two ranks (one a Ray task) and reached the one-process losses
    assert any("distributed fine-tune: 2 ranks (gloo, rank 0 here, 1 on the ray executor)" in m
               for m in got["fine_tune_events"]), got["fine_tune_events"]
    one, two = expected["fine_tune"], got["fine_tune"]
    assert two["steps"] == one["steps"] == 2
    for name in ("train_loss_first", "train_loss"):
        assert two[name] == pytest.approx(one[name], rel=1e-4, abs=1e-6), name
    assert two["holdout_loss_after"] == pytest.approx(one["holdout_loss_after"], rel=1e-4) \
        if one["holdout_loss_after"] is not None else two["holdout_loss_after"] is None


def _many_files(folder, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        write_audio(folder / f"b{i:03d}.wav", tone(1.0, 16000, 100 + i, seed=i), 16000, "wav")


def test_the_server_killed_mid_ingest_resumes_without_loss_or_duplicates(cluster, tmp_path):
    # Shards of 1-s tones commit at about 200 a second here: 600 of them give the kill, sent at the first
    # committed file, about 3 s of ingest to land in (120 files with the kill at the tenth once all committed).
    files = 600
    _many_files(tmp_path / "sources" / "many", files)
    server = ServerProcess(tmp_path / "data", [tmp_path / "sources"], extra_args=[
        "--executor", "ray", "--ray-address", cluster.address]).start()
    try:
        client = adapt.Client(server.target)
        dataset = client.datasets.create(name="many", sources=[{"type": "local",
                                                                "uri": str(tmp_path / "sources" / "many")}])
        for event in client.datasets.watch(dataset.id, timeout=WAIT_S):
            if event.progress.stage == "files" and event.progress.done >= 1:
                break
        server.kill9()
        client.close()
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            committed = db.execute("SELECT COUNT(*) FROM recordings WHERE dataset_id = ?", [dataset.id]).fetchone()[0]
        assert 0 < committed < files, "the kill must land in the middle of the ingest"

        server.restart()
        client = adapt.Client(server.target)
        done = client.datasets.wait(dataset.id, timeout=WAIT_S)
        assert done.state == "SUCCEEDED" and done.stats.recordings == files and not done.file_issues
        messages = [e.message for e in client.datasets.watch(dataset.id)]
        assert any("will resume" in m for m in messages), messages
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            uris = [row[0] for row in db.execute("SELECT source_uri FROM recordings WHERE dataset_id = ?",
                                                 [dataset.id])]
        assert len(uris) == len(set(uris)) == files
        # nothing staged for the shards stays behind: the blob store holds the recordings' audio only
        blobs = [p for p in (server.data_dir / "blobs" / "sha256").rglob("*") if p.is_file()]
        assert len(blobs) == files
        client.close()
    finally:
        if server.alive():
            server.stop()


def test_ray_workers_reach_everything_through_s3(cluster, s3, calls, tmp_path):
    moto, env = s3
    folder = calls / "gen" / "calls"
    server = ServerProcess(tmp_path / "data", [calls], env=env, extra_args=[
        "--executor", "ray", "--ray-address", cluster.address, "--blob-store", "s3://adapt-blobs/team",
        "--blob-endpoint", moto.endpoint_url]).start()
    try:
        with adapt.Client(server.target) as client:
            dataset = client.datasets.create(name="calls", sources=[{"type": "local", "uri": str(folder)}])
            dataset = client.datasets.wait(dataset.id, timeout=WAIT_S)
            assert dataset.state == "SUCCEEDED" and dataset.stats.recordings == 2
            evaluation = client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"],
                                                   metrics=["wer"])
            assert client.evaluations.wait(evaluation.id, timeout=WAIT_S).state == "SUCCEEDED"
        assert not (server.data_dir / "blobs" / "sha256").exists() or \
            not any(p.is_file() for p in (server.data_dir / "blobs" / "sha256").rglob("*"))
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            shas = {row[0] for row in db.execute("SELECT audio_sha256 FROM recordings")}
        import boto3
        s3_client = boto3.session.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                                          aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"]).client(
            "s3", endpoint_url=moto.endpoint_url, region_name="us-east-1")
        keys = {o["Key"] for o in s3_client.list_objects_v2(Bucket="adapt-blobs", Prefix="team/sha256/")["Contents"]}
        stored = {key.rsplit("/", 1)[-1] for key in keys}
        assert shas <= stored
        # the staged source files are gone; the probe object of the start-up check is the one extra blob
        assert len(stored - shas) == 1
    finally:
        server.stop()
