"""What a shard of a job may use on the node that runs it: the blob store (through that node's cache), a folder
for converted engines, its thread budget, and models resolved to paths on that node.

A shard never opens the SQLite database: the server's queue stays the one writer (jobs/executor.py). The
local executor hands shards the worker process's own environment; a Ray worker opens one from a `NodeSpec`
the first time it runs a shard of a job (cached per spec in that process).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from adapt_server.errors import FailedPrecondition
from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec
from adapt_server.store.models import ModelRecord


@dataclass(frozen=True)
class NodeSpec:
    """How a node opens its environment (picklable). engine_cache_dir "": the node's own default."""

    blobs: BlobStoreSpec
    engine_cache_dir: str = ""
    threads: int = 1
    device: str = "cpu"  # where engines run on this node ("cpu" | "cuda": the server's --device)


@dataclass
class NodeEnv:
    blobs: Blobs
    engine_cache_dir: Path
    threads: int  # cores this shard may use (numba, torch, CTranslate2 intra-op threads)
    device: str = "cpu"  # where engines run ("cpu" | "cuda")

    def model_here(self, record: ModelRecord) -> ModelRecord:
        """The catalogue record with `path` on this node: a stored model (registered or fine-tuned: its tree in
        the blob store) comes from the blob store's tree, a bundled one from its pip package, which every node
        must have installed (the same adapt-server version)."""
        if record.sha256:
            return replace(record, path=str(self.blobs.tree_dir(record.sha256)))
        if not Path(record.path).exists():
            raise FailedPrecondition(f"bundled model {record.id} is not at {record.path} on this node; install the "
                                     "same adapt-server version on every node of the cluster")
        return record

    def thread_budget(self):
        from adapt_kernels.threads import thread_budget
        return thread_budget(worker_processes=1, total_cores=max(1, self.threads))


_opened: dict[NodeSpec, NodeEnv] = {}


def node_env(spec: NodeSpec) -> NodeEnv:
    """This process's environment for `spec` (opened once per process; threads pinned then)."""
    env = _opened.get(spec)
    if env is None:
        from adapt_kernels.threads import pin_threads
        from adapt_server.store.blob_stores import open_blob_store
        blobs = open_blob_store(spec.blobs)
        cache = Path(spec.engine_cache_dir) if spec.engine_cache_dir else default_engine_cache()
        os.environ["OMP_NUM_THREADS"] = str(max(1, spec.threads))
        pin_threads(numba=max(1, spec.threads), blas=1)
        env = _opened[spec] = NodeEnv(blobs=blobs, engine_cache_dir=cache, threads=spec.threads, device=spec.device)
    return env


def default_engine_cache() -> Path:
    """Converted engines of a node that has no data directory (a Ray worker node): beside its blob cache."""
    from adapt_server.store.blobstore_s3 import default_cache_dir
    return default_cache_dir() / "engines"
