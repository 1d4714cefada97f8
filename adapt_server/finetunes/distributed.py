"""A fine-tune over `--train-world-size` N > 1 data-parallel processes (training/distributed.py).

The job's worker process is rank 0 (progress, cancel, checkpoints, export, registration, as for one process);
the job's executor starts ranks 1..N-1 (local processes, or Ray tasks on any node), each loading the same
training utterances from the blob store by reference and the base model through its node's cache.

A rank that dies makes the others' next collective fail (RankLost). Rank 0 then stops the rest and starts the
run again from its last checkpoint (every `--checkpoint-interval` seconds, and after the last step), at most
MAX_RELAUNCHES times; after that the job fails with ABORTED naming the rank and how it ended. A cancelled
job stops every rank. If rank 0 itself dies (the server or its worker process), the others fail at their
next collective (local ranks also die with their parent) and the job resumes from the checkpoint when the
server recovers it, as a one-process fine-tune does.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapt_server.jobs.executor import ShardFailed
from adapt_server.jobs.node import NodeSpec, node_env
from adapt_server.training.distributed import Collective, RankLost, Rendezvous, follow

FOLLOWER = "adapt_server.finetunes.distributed:run_follower"
MAX_RELAUNCHES = 2
JOIN_POLL_S = 0.5
FAILURE_GRACE_S = 5.0  # after a collective failed: how long to wait for the dead rank's exit to be seen


@dataclass(frozen=True)
class FollowerSpec:
    """What rank `rank` needs on its node (picklable)."""
    rendezvous: Rendezvous
    rank: int
    node: NodeSpec
    base: object  # the base model's ModelRecord
    train_refs: tuple  # UtteranceRef of the training utterances, in rank 0's order
    mixin_refs: tuple
    hyperparameters: dict


def run_follower(spec: FollowerSpec) -> None:
    from adapt_server.finetunes.data import load_items
    node = node_env(spec.node)
    base = node.model_here(spec.base)
    train, _ = load_items(node.blobs.path, list(spec.train_refs),
                          long_form_seconds=float(spec.hyperparameters.get("long_form_seconds", 0.0)))
    mixin, _ = load_items(node.blobs.path, list(spec.mixin_refs))
    follow(spec.rendezvous, spec.rank, Path(base.path), train, mixin, spec.hyperparameters)


def train_distributed(ctx, world_size: int, run: Callable[[Collective], object], base, train_refs, mixin_refs,
                      hyperparameters: dict):
    """run(collective) as rank 0 of `world_size` ranks; returns what it returns (see the module docstring)."""
    executor = ctx.executor
    for attempt in range(MAX_RELAUNCHES + 1):
        rendezvous = Rendezvous.here(world_size, host=executor.host())
        specs = [FollowerSpec(rendezvous, rank, executor.node_spec, base, tuple(train_refs), tuple(mixin_refs),
                              hyperparameters) for rank in range(1, world_size)]
        ctx.log(f"distributed fine-tune: {world_size} ranks ({rendezvous.backend}, rank 0 here, "
                f"{world_size - 1} on the {executor.name} executor)")
        group = executor.spawn(FOLLOWER, [(spec,) for spec in specs])
        try:
            collective = _join(ctx, rendezvous, group)
            try:
                return run(collective)
            finally:
                collective.close()
        except RankLost as exc:
            reason = _failure(group) or f"a collective failed: {exc}"
            if attempt == MAX_RELAUNCHES:
                raise ShardFailed(f"a rank of the distributed fine-tune died {MAX_RELAUNCHES + 1} times (last: "
                                  f"{reason}); the job failed; its checkpoint is kept, so creating the fine-tune "
                                  "again resumes it") from None
            ctx.log(f"a rank died ({reason}); restarting all {world_size} ranks from the last checkpoint "
                    f"(relaunch {attempt + 1} of {MAX_RELAUNCHES})", level="warning")
        finally:
            group.stop()


def _join(ctx, rendezvous: Rendezvous, group) -> Collective:
    """Rank 0 joins the run; while it waits for the others, a rank that fails to start ends the wait."""
    joined: dict = {}

    def join() -> None:
        try:
            joined["collective"] = Collective(rendezvous, 0)
        except Exception as exc:  # noqa: BLE001 - handed to the waiting thread
            joined["error"] = exc
    thread = threading.Thread(target=join, name="rank0-join", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(JOIN_POLL_S)
        ctx.check_cancelled()
        failures = group.failures()
        if failures and thread.is_alive():
            raise RankLost(f"a rank failed before the run started: {'; '.join(failures)}")
    if "error" in joined:
        raise RankLost(f"rank 0 could not join the run: {joined['error']}")
    return joined["collective"]


def _failure(group) -> str:
    deadline = time.monotonic() + FAILURE_GRACE_S
    while time.monotonic() < deadline:
        failures = group.failures()
        if failures:
            return "; ".join(failures)
        time.sleep(0.2)
    return ""
