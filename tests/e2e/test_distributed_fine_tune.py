"""A fine-tune on two data-parallel processes (`adapt serve --train-world-size 2`, local executor, gloo): a rank
killed with SIGKILL mid-run makes rank 0 restart the ranks from the last checkpoint, and the job ends with the
model registered, its events saying which rank died and how."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
from pathlib import Path

import pytest

import adapt
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow
WAIT_S = 900
HYPERPARAMETERS = {"strategy": "frozen_encoder", "max_steps": 5, "batch_size": 4, "micro_batch_size": 2,
                   "learning_rate": 1e-4, "seed": 3}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(p) for p in text.split()]
    return found


def follower_pids(server_pid: int) -> list[int]:
    """The other ranks: the processes the server's job worker started (python -m adapt_server.jobs.executor)."""
    pids = []
    for worker in children(server_pid):
        for child in children(worker):
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if "adapt_server.jobs.executor" in cmdline:
                pids.append(child)
    return pids


def test_a_killed_rank_restarts_the_ranks_from_the_checkpoint(tmp_path):
    from adapt_server.sampledata import generate_calls
    root = tmp_path / "sources"
    generate_calls(root, n_calls=1, seed=5, split="train", min_turns=9, max_turns=9)
    server = ServerProcess(tmp_path / "data", [root], extra_args=["--train-world-size", "2",
                                                                 "--checkpoint-interval", "0"]).start()
    try:
        client = adapt.Client(server.target)
        dataset = client.datasets.wait(client.datasets.create(
            name="one-call", sources=[{"type": "local", "uri": str(root / "calls")}]).id, timeout=WAIT_S)
        tune = client.fine_tunes.create(base_model="whisper-tiny.en", dataset_id=dataset.id,
                                        hyperparameters=HYPERPARAMETERS, export_formats=["ctranslate2"])
        killed = None
        for event in client.fine_tunes.watch(tune.id, timeout=WAIT_S):
            if event.progress.stage == "train" and event.progress.done >= 2:  # checkpointed after every step
                [killed] = follower_pids(server.proc.pid)
                os.kill(killed, signal.SIGKILL)
                break
        done = client.fine_tunes.wait(tune.id, timeout=WAIT_S)
        assert done.state == "SUCCEEDED" and done.model_id
        messages = [e.message for e in client.fine_tunes.watch(tune.id)]
        died = [m for m in messages if m.startswith("a rank died")]
        assert len(died) == 1, messages
        assert f"(pid {killed}) exited with signal SIGKILL" in died[0]
        assert "restarting all 2 ranks from the last checkpoint (relaunch 1 of 2)" in died[0]
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            metrics = json.loads(db.execute("SELECT metrics FROM fine_tunes WHERE id = ?", [tune.id]).fetchone()[0])
        assert metrics["steps"] == 5 and metrics["resumed_from_step"] >= 2
        assert client.models.get(done.model_id).id == done.model_id
        client.close()
    finally:
        server.stop()
