"""kill -9 during training, restart: the run resumes from its last checkpoint and ends with the same weights
as an uninterrupted run (bit for bit on CPU with the same thread count: the two runs are separate processes,
so this also checks that training gives the same bits from one process to the next)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from adapt_server.training.checkpoints import CHECKPOINT_NAME

WORKER = Path(__file__).with_name("resume_worker.py")


def _run(items: Path, work: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="2")
    return subprocess.Popen([sys.executable, str(WORKER), str(items), str(work), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_kill_9_then_resume_gives_the_uninterrupted_weights(call_items, tmp_path):
    items = tmp_path / "items.npz"
    chosen = call_items[0][:8]
    np.savez(items, n=len(chosen), **{f"audio{i}": a for i, (a, _) in enumerate(chosen)},
             **{f"text{i}": t for i, (_, t) in enumerate(chosen)})
    straight = _run(items, tmp_path / "straight", tmp_path / "straight.pt")

    killed = _run(items, tmp_path / "killed", tmp_path / "killed.pt")
    checkpoint = tmp_path / "killed" / "checkpoints" / CHECKPOINT_NAME
    deadline = time.monotonic() + 600
    step_seen = 0
    for line in killed.stdout:  # wait until at least 2 steps are checkpointed, then kill -9 mid-run
        if line.startswith("step "):
            step_seen = int(line.split()[1])
            if step_seen >= 2:
                break
        assert time.monotonic() < deadline
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert checkpoint.is_file() and not (tmp_path / "killed.pt").exists()

    resumed = _run(items, tmp_path / "killed", tmp_path / "killed.pt")
    assert resumed.wait(timeout=900) == 0, resumed.stdout.read()
    assert straight.wait(timeout=900) == 0, straight.stdout.read()
    a, b = torch.load(tmp_path / "straight.pt"), torch.load(tmp_path / "killed.pt")
    assert a["resumed_from"] == 0 and b["resumed_from"] >= 2
    assert a["losses"] == b["losses"]
    assert a["parameters"].keys() == b["parameters"].keys()
    for name, value in a["parameters"].items():
        assert torch.equal(value, b["parameters"][name]), name
