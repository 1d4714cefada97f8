"""kill -9 of the server in the middle of an ingest, then a restart: the dataset finishes, and datasets
finished before are intact byte for byte."""
from __future__ import annotations

import hashlib
import sqlite3
import time

import pytest

import adapt
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess
from testkit.text import wer

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

WAIT_S = 300
BIG_FILES = 300
BIG_FILE_S = 8.0


def _many_files(folder) -> None:
    """BIG_FILES distinct wav files: enough per-file commits that an ingest lasts a few seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(BIG_FILES):
        write_audio(folder / f"b{i:03d}.wav", tone(BIG_FILE_S, 16000, 100 + i, seed=i), 16000, "wav")


def _wait_until_decoding(client, dataset_id: str, files_done: int) -> None:
    for event in client.datasets.watch(dataset_id, timeout=WAIT_S):
        if event.progress.stage == "decode" and event.progress.done >= files_done:
            return


def _snapshot(data_dir, dataset_id: str) -> dict:
    """Every stored row of a dataset plus the sha256 of each audio blob file's bytes."""
    db = sqlite3.connect(data_dir / "adapt.sqlite3")
    rows = {table: sorted(map(tuple, db.execute(f"SELECT * FROM {table} WHERE dataset_id = ?", [dataset_id])))
            for table in ("recordings", "utterances", "speaker_turns", "file_issues")}
    rows["datasets"] = sorted(map(tuple, db.execute("SELECT * FROM datasets WHERE id = ?", [dataset_id])))
    rows["jobs"] = sorted(map(tuple, db.execute("SELECT * FROM jobs WHERE resource_id = ?", [dataset_id])))
    blobs = {}
    for (sha,) in db.execute("SELECT audio_sha256 FROM recordings WHERE dataset_id = ?", [dataset_id]):
        path = data_dir / "blobs" / "sha256" / sha[:2] / sha
        blobs[sha] = hashlib.sha256(path.read_bytes()).hexdigest()
    db.close()
    return {"rows": rows, "blobs": blobs}


def test_kill_9_mid_ingest_then_restart(tmp_path):
    root = tmp_path / "sources"
    (root / "small").mkdir(parents=True)
    _many_files(root / "big")
    for i in range(3):
        write_audio(root / "small" / f"s{i}.wav", tone(2.0, 16000, 200 + 50 * i, seed=i), 16000, "wav")
        (root / "small" / f"s{i}.txt").write_text(f"small file number {i}")
    server = ServerProcess(tmp_path / "data", [root]).start()
    try:
        client = adapt.Client(server.target)
        finished = client.datasets.create(name="before", sources=[{"type": "local", "uri": str(root / "small")}])
        finished.wait(timeout=WAIT_S)
        before = _snapshot(server.data_dir, finished.id)

        big = client.datasets.create(name="big", sources=[{"type": "local", "uri": str(root / "big")}])
        _wait_until_decoding(client, big.id, 5)
        server.kill9()
        client.close()
        assert _snapshot(server.data_dir, finished.id) == before
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            committed = db.execute("SELECT COUNT(*) FROM recordings WHERE dataset_id = ?", [big.id]).fetchone()[0]
        assert 0 < committed < BIG_FILES, "the kill must land in the middle of the ingest"

        server.restart()
        client = adapt.Client(server.target)
        resumed = client.datasets.wait(big.id, timeout=WAIT_S)
        assert resumed.state == "SUCCEEDED"
        assert resumed.stats.recordings == BIG_FILES and not resumed.file_issues
        assert abs(resumed.stats.hours * 3600 - BIG_FILES * BIG_FILE_S) < 1.0
        messages = [e.message for e in client.datasets.watch(big.id)]
        assert any("will resume" in m for m in messages), messages
        assert sum("attempt 2" in m for m in messages) == 1
        assert _snapshot(server.data_dir, finished.id) == before
    finally:
        if server.alive():
            server.stop()


def test_sigterm_shuts_down_gracefully_and_requeues_running_work(tmp_path):
    root = tmp_path / "sources"
    _many_files(root)
    server = ServerProcess(tmp_path / "data", [root]).start()
    client = adapt.Client(server.target)
    dataset = client.datasets.create(name="interrupted", sources=[{"type": "local", "uri": str(root)}])
    _wait_until_decoding(client, dataset.id, 2)
    started = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - started < 20
    assert "Adapt stopped" in server.log()
    server.restart()
    try:
        client = adapt.Client(server.target)
        assert client.datasets.wait(dataset.id, timeout=WAIT_S).stats.recordings == BIG_FILES
    finally:
        server.stop()


def test_cancel_a_running_ingest_and_delete_rules(tmp_path):
    root = tmp_path / "sources"
    _many_files(root)
    server = ServerProcess(tmp_path / "data", [root]).start()
    try:
        client = adapt.Client(server.target)
        dataset = client.datasets.create(name="to-cancel", sources=[{"type": "local", "uri": str(root)}])
        _wait_until_decoding(client, dataset.id, 2)
        with pytest.raises(adapt.FailedPreconditionError, match="cancel it first"):
            client.datasets.delete(dataset.id)
        client.datasets.cancel(dataset.id)
        with pytest.raises(adapt.JobCancelledError):
            client.datasets.wait(dataset.id, timeout=WAIT_S)
        assert dataset.state == "CANCELLED"
        assert client.datasets.delete(dataset.id) >= 1
        with pytest.raises(adapt.NotFoundError):
            client.datasets.get(dataset.id)
    finally:
        server.stop()


def test_kill_9_mid_fine_tune_then_restart_resumes_to_the_same_model(tmp_path):
    """The server is killed after a checkpointed training step; the restarted job resumes from that checkpoint
    and registers the model an uninterrupted run gives (the same exported files, bit for bit)."""
    from adapt_server.sampledata import generate_calls
    root = tmp_path / "sources"
    generate_calls(root, n_calls=1, seed=5, split="train", min_turns=9, max_turns=9)
    server = ServerProcess(tmp_path / "data", [root], extra_args=["--checkpoint-interval", "0"]).start()
    hyperparameters = {"strategy": "frozen_encoder", "max_steps": 6, "batch_size": 4, "learning_rate": 1e-4,
                       "seed": 3}
    try:
        client = adapt.Client(server.target)
        dataset = client.datasets.create(name="one-call", sources=[{"type": "local", "uri": str(root / "calls")}])
        dataset.wait(timeout=WAIT_S)
        killed = client.fine_tunes.create(base_model="whisper-tiny.en", dataset_id=dataset.id,
                                          hyperparameters=hyperparameters, export_formats=["ctranslate2"])
        for event in client.fine_tunes.watch(killed.id, timeout=WAIT_S):
            if event.progress.stage == "train" and event.progress.done >= 2:  # checkpointed after every step
                break
        server.kill9()
        client.close()

        server.restart()
        client = adapt.Client(server.target)
        resumed = client.fine_tunes.wait(killed.id, timeout=WAIT_S)
        assert resumed.state == "SUCCEEDED", resumed.error
        assert 2 <= resumed.metrics["resumed_from_step"] < 6 and resumed.metrics["steps"] == 6
        straight = client.fine_tunes.create(base_model="whisper-tiny.en", dataset_id=dataset.id,
                                            hyperparameters=hyperparameters, export_formats=["ctranslate2"])
        straight = client.fine_tunes.wait(straight.id, timeout=WAIT_S)
        assert straight.state == "SUCCEEDED" and straight.metrics["resumed_from_step"] == 0
        # the same run, bit for bit: training runs under torch's deterministic algorithms (adapt_server/training/
        # trainer.py), so the restarted worker process recomputes the same states and gradients
        assert resumed.metrics["train_loss"] == straight.metrics["train_loss"]
        exports = [client.models.get(job.model_id).lineage["exports"]["ctranslate2"] for job in (resumed, straight)]
        assert exports[0]["sha256"] == exports[1]["sha256"]  # the stored CTranslate2 trees, content-addressed
        audio = next((root / "calls").glob("*.wav"))
        heard = [client.speech.transcribe(audio, model=model_id).text for model_id in (resumed.model_id,
                                                                                        straight.model_id)]
        # (the same weights; a unary transcription's temperature fallback samples unseeded, hence not ==)
        assert len(heard[0].split()) > 20 and wer(heard[1], heard[0]) <= 0.05, heard
    finally:
        if server.alive():
            server.stop()
