"""Data-parallel training (training/distributed.py): two processes over gloo reach the weights of one process
with the same global batch.

Tolerance: the two runs compute every micro-batch's gradient identically (same inputs, same deterministic
kernels, one thread each); only the order of the float32 sums differs (rank 0's micro-batches + rank 1's,
against all four in a row), which moves gradients in the 7th significant digit. After three AdamW steps at
lr 1e-4 the trained parameters agree to an absolute 1e-5 (0.1 of one step's largest possible change: AdamW
moves a weight by at most ~lr per step) and the step losses to a relative 1e-5, while the training itself moved
weights by more than ten times that tolerance (checked below: the comparison can fail).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from testkit.servers import free_port

WORKER = Path(__file__).with_name("distributed_worker.py")
ATOL = 1e-5


def _start(items: Path, out: Path, *role: str) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", ADAPT_TRAIN_THREADS="1")
    return subprocess.Popen([sys.executable, str(WORKER), str(items), str(out), *role], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(proc: subprocess.Popen) -> None:
    output, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, output[-4000:]


@pytest.mark.slow
def test_two_gloo_ranks_reach_the_weights_of_one_process(call_items, tmp_path):
    items = tmp_path / "items.npz"
    chosen = call_items[0][:8]
    np.savez(items, n=len(chosen), **{f"audio{i}": a for i, (a, _) in enumerate(chosen)},
             **{f"text{i}": t for i, (_, t) in enumerate(chosen)})
    single = _start(items, tmp_path / "single.pt", "single")
    _finish(single)
    port = str(free_port())
    ranks = [_start(items, tmp_path / "ranks.pt", str(rank), "2", port) for rank in (0, 1)]
    for proc in ranks:
        _finish(proc)

    one, two = torch.load(tmp_path / "single.pt"), torch.load(tmp_path / "ranks.pt")
    assert len(one["losses"]) == len(two["losses"]) == 3
    assert two["losses"] == pytest.approx(one["losses"], rel=1e-5)
    assert one["parameters"].keys() == two["parameters"].keys()
    worst = max(float((one["parameters"][k] - two["parameters"][k]).abs().max()) for k in one["parameters"])
    print(f"largest parameter difference between 1 and 2 processes: {worst:.3g}")
    assert worst < ATOL, f"largest difference {worst}"
    # the check can fail: the weights moved from the base model far more than the tolerance
    from adapt_server.models.bundled import bundled_model_path
    from adapt_server.training.ct2_import import import_base_model
    from adapt_server.training.strategies import prepare, trainable_state
    from adapt_server.training.hyperparameters import validate_hyperparameters
    from server.training.distributed_worker import HYPERPARAMETERS
    base, _ = prepare(import_base_model(bundled_model_path()).model, validate_hyperparameters(HYPERPARAMETERS))
    moved = max(float((value - trainable_state(base)[name]).abs().max()) for name, value in one["parameters"].items())
    print(f"largest change of a parameter by the training: {moved:.3g}")
    assert moved > 10 * ATOL, moved
