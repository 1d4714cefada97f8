"""Data-parallel fine-tuning over several processes or nodes with torch.distributed (gloo on CPU, NCCL on GPU).

How a step is shared: every rank holds the whole model and the whole (seeded, deterministic) batch plan; a
step's micro-batches are dealt round-robin (micro-batch i to rank i mod world_size), each rank computes the
gradients of its own, the gradients are summed over the ranks (one flattened all-reduce), and every rank
applies the same clipped AdamW update. A micro-batch's gradient is the one a single process computes for it
(same inputs, same SpecAugment draw, same loss scale: the batch's token count), so N processes reach the
weights of one process with the same global batch, up to the order in which the float sums are added
(tests/server/training/test_distributed.py states the tolerance).

Rank 0 is the fine-tune job's worker process: it reports progress, checks for cancel, writes checkpoints and
exports. The others (`follow`) are started by the job's executor (local processes, or Ray tasks on other
nodes) and receive rank 0's checkpoint when a run resumes, so only rank 0 needs a disk that survives.

World size: the server flag `--train-world-size`, not a hyperparameter. It is a property of the hardware an
operator runs, not of the model: the same hyperparameters (global batch, steps, seed) give the same weights
at any world size, so a fine-tune's request, its idempotency and its results do not depend on the cluster.
"""
from __future__ import annotations

import datetime
import os
import socket
from dataclasses import dataclass

import torch
import torch.distributed as dist

COLLECTIVE_TIMEOUT_S = 1800.0  # longest wait in one collective (a slow rank's step) before the run fails


class RankLost(RuntimeError):
    """A collective failed: another rank of the run died or cannot be reached."""


@dataclass(frozen=True)
class Rendezvous:
    """Where the ranks of one run meet (rank 0's host and a free port) and how they talk."""

    host: str
    port: int
    world_size: int
    backend: str = "gloo"  # "nccl" on GPU hosts
    timeout_s: float = COLLECTIVE_TIMEOUT_S

    @classmethod
    def here(cls, world_size: int, host: str = "127.0.0.1", timeout_s: float = COLLECTIVE_TIMEOUT_S) -> "Rendezvous":
        """A rendezvous on this machine's `host` (reachable by the other ranks) at a free port."""
        with socket.socket() as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        return cls(host, port, world_size, "nccl" if torch.cuda.is_available() else "gloo", timeout_s)


class Collective:
    """This process's place in a data-parallel run (see the module docstring)."""

    def __init__(self, rendezvous: Rendezvous, rank: int):
        self.rank, self.world_size = rank, rendezvous.world_size
        dist.init_process_group(rendezvous.backend, init_method=f"tcp://{rendezvous.host}:{rendezvous.port}",
                                rank=rank, world_size=rendezvous.world_size,
                                timeout=datetime.timedelta(seconds=rendezvous.timeout_s))
        self._group = dist.group.WORLD

    @property
    def writes(self) -> bool:
        """True on rank 0: the one that writes checkpoints and reports."""
        return self.rank == 0

    def mine(self, micro_batch: int) -> bool:
        return micro_batch % self.world_size == self.rank

    def sum_gradients(self, parameters: list[torch.Tensor]) -> None:
        """Sums every parameter's gradient over the ranks, in place. A parameter no rank computed a gradient
        for keeps None (as in one process: the optimizer then leaves it alone)."""
        present = torch.tensor([float(p.grad is not None) for p in parameters])
        self._all_reduce(present)
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in parameters]
        flat = torch.cat([g.reshape(-1).float() for g in grads])
        self._all_reduce(flat)
        offset = 0
        for parameter, grad, seen in zip(parameters, grads, present.tolist()):
            size = grad.numel()
            parameter.grad = flat[offset:offset + size].view_as(grad).to(grad.dtype) if seen else None
            offset += size

    def sum(self, value: float) -> float:
        tensor = torch.tensor([value], dtype=torch.float64)
        self._all_reduce(tensor)
        return float(tensor.item())

    def from_rank0(self, value):
        """Rank 0's `value` on every rank (a picklable object: a checkpoint when a run resumes)."""
        box = [value if self.rank == 0 else None]
        try:
            dist.broadcast_object_list(box, src=0, group=self._group)
        except RuntimeError as exc:
            raise RankLost(str(exc)) from exc
        return box[0]

    def close(self) -> None:
        if dist.is_initialized():
            dist.destroy_process_group()

    def _all_reduce(self, tensor: torch.Tensor) -> None:
        try:
            dist.all_reduce(tensor, op=dist.ReduceOp.SUM, group=self._group)
        except RuntimeError as exc:  # gloo: "Connection closed by peer", a timeout...
            raise RankLost(str(exc)) from exc


def follow(rendezvous: Rendezvous, rank: int, base_model_path, train_items, mixin_items, hp) -> None:
    """A rank other than 0: builds the same examples and model as rank 0 and trains in step with it until the
    plan ends (or a collective fails: rank 0 was cancelled or died). Writes nothing."""
    from adapt_server.training.ct2_import import import_base_model
    from adapt_server.training.data import featurize
    from adapt_server.training.hyperparameters import validate_hyperparameters
    from adapt_server.training.job import TRAIN_THREADS_ENV
    from adapt_server.training.labels import special_tokens
    from adapt_server.training.trainer import Trainer

    hp = validate_hyperparameters(hp) if isinstance(hp, dict) else hp
    torch.set_num_threads(max(1, int(os.environ.get(TRAIN_THREADS_ENV, "2"))))  # as rank 0 (training/job.py)
    imported = import_base_model(base_model_path)
    tokens = special_tokens(imported.tokenizer, multilingual=imported.model.config.vocab_size > 51864)
    n_mels = imported.model.config.num_mel_bins
    examples = featurize(train_items, imported.tokenizer, tokens, n_mels, hp.timestamp_ratio, hp.seed)
    mixin = featurize(mixin_items, imported.tokenizer, tokens, n_mels, hp.timestamp_ratio, hp.seed + 1)
    collective = Collective(rendezvous, rank)
    try:
        Trainer(imported.model, hp, tokens.eot, None, collective=collective).fit(examples, mixin, "")
    finally:
        collective.close()
