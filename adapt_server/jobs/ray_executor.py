"""Shards as Ray tasks (`adapt serve --executor ray --ray-address ADDR`): see jobs/executor.py for the contract.

Each worker process of the server is a Ray driver (it connects once, on its first shard); a job's shards are
tasks owned by that driver, so when the server (and with it the driver) dies, Ray drops them, and the
restarted server's recovery resumes the job with the shards not yet committed. Every node of the cluster
needs adapt-server installed (the same version), and reaches inputs and outputs through the blob store: a
node other than the server's needs `--blob-store s3://...`.

Retries: a task whose worker process dies (killed, out of memory, node lost) is rerun by Ray up to
SHARD_RETRIES times; an exception raised by the shard's code is not retried (it would fail again) and fails
the job with its status, as in a local run. Cancel: when the driver's check raises, every task of the map
still pending or running is cancelled (force: its worker process is killed).
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from adapt_server.jobs.executor import SHARD_RETRIES, ShardFailed, resolve_function
from adapt_server.jobs.node import NodeSpec, node_env

log = logging.getLogger("adapt.ray")
WAIT_S = 0.25          # how often the driver wakes to run its check (progress, cancel) while shards run
WINDOW_PER_CPU = 2     # shards submitted ahead per cluster CPU (keeps every worker busy, bounds memory)
_connect_lock = threading.Lock()


def connect(address: str):
    """The ray module, connected to the cluster at `address` (once per process)."""
    import ray
    with _connect_lock:
        if not ray.is_initialized():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # egress.py sets it too; never phone home
            ray.init(address=address, namespace="adapt", log_to_driver=False, logging_level=logging.WARNING,
                     configure_logging=False)
    return ray


def run_shard(spec: NodeSpec, function: str, task, trace_context: dict | None = None):
    """What a Ray task runs: the shard `function(node, task)` with this node's environment."""
    from adapt_server import egress
    egress.configure()  # the off switches and the audit hook, as in every process that runs Adapt code
    from adapt_server.observability import tracing
    tracing.configure("adapt-ray-worker")
    with tracing.span(f"shard {function.rsplit(':', 1)[-1]}", context=trace_context,
                      attributes={"adapt.shard.function": function}):
        return resolve_function(function)(node_env(spec), task)


def run_rank(function: str, args: tuple):
    """What a Ray task of `spawn` runs: function(*args)."""
    from adapt_server import egress
    egress.configure()
    return resolve_function(function)(*args)


class RayExecutor:
    name = "ray"

    def __init__(self, address: str, node: NodeSpec):
        self.address = address
        self.node = node

    @property
    def node_spec(self) -> NodeSpec:
        return self.node

    def host(self) -> str:
        """This node's address as the cluster knows it (where other nodes reach a rendezvous here)."""
        return connect(self.address).util.get_node_ip_address()

    def cluster_cpus(self) -> int:
        return max(1, int(connect(self.address).cluster_resources().get("CPU", 1)))

    def map(self, function: str, tasks: Iterable, on_result: Callable[[int, Any], None],
            check: Callable[[], None], cpus: float = 1) -> None:
        ray = connect(self.address)
        from adapt_server.observability import tracing
        remote = ray.remote(run_shard).options(num_cpus=cpus, max_retries=SHARD_RETRIES, retry_exceptions=False,
                                              name=f"adapt:{function.rsplit(':', 1)[-1]}")
        node = self.node if self.node.threads == max(1, int(cpus)) else \
            NodeSpec(self.node.blobs, self.node.engine_cache_dir, max(1, int(cpus)), self.node.device)
        window = WINDOW_PER_CPU * self.cluster_cpus()
        source = iter(enumerate(tasks))
        pending: dict = {}                 # ObjectRef -> index
        finished: dict[int, Any] = {}      # results waiting for an earlier shard
        next_to_deliver, exhausted = 0, False
        try:
            while True:
                while not exhausted and len(pending) < window:
                    try:
                        index, task = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    pending[remote.remote(node, function, task, tracing.carrier())] = index
                if not pending and not finished:
                    return
                check()
                ready, _ = ray.wait(list(pending), num_returns=len(pending), timeout=WAIT_S, fetch_local=True) \
                    if pending else ([], [])
                for ref in ready:
                    index = pending.pop(ref)
                    finished[index] = _result(ray, ref, function, index)
                while next_to_deliver in finished:
                    on_result(next_to_deliver, finished.pop(next_to_deliver))
                    next_to_deliver += 1
                if exhausted and not pending and not finished:
                    return
        except BaseException:
            for ref in pending:
                ray.cancel(ref, force=True)
            raise

    def spawn(self, function: str, args: Sequence[tuple], cpus: float = 1) -> "RayTasks":
        ray = connect(self.address)
        remote = ray.remote(run_rank).options(num_cpus=cpus, max_retries=0,
                                             name=f"adapt:{function.rsplit(':', 1)[-1]}")
        return RayTasks(ray, [remote.remote(function, a) for a in args])


def _result(ray, ref, function: str, index: int):
    """The shard's result; its own exception re-raised as it was (AdaptError keeps its status); a process
    lost more often than the retries allow -> ShardFailed."""
    from ray.exceptions import RayTaskError, TaskCancelledError
    try:
        return ray.get(ref)
    except RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):  # AdaptError keeps its status; anything else is INTERNAL, as locally
            raise cause from None
        raise
    except TaskCancelledError:
        raise
    except Exception as exc:  # WorkerCrashedError, NodeDiedError, OutOfMemoryError, ObjectLostError...
        raise ShardFailed(f"shard {index} of {function} was lost {SHARD_RETRIES + 1} times on Ray workers "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); the job "
                          "failed after the retries; look at the Ray cluster's nodes and memory, then retry "
                          "it") from None


class RayTasks:
    """The tasks of one `spawn` (no retries: a distributed run restarts as a whole from its checkpoint)."""

    def __init__(self, ray, refs: list):
        self.ray, self.refs = ray, refs

    def failures(self) -> list[str]:
        done, _ = self.ray.wait(self.refs, num_returns=len(self.refs), timeout=0)
        lines = []
        for i, ref in enumerate(self.refs):
            if ref in done:
                try:
                    self.ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - reported, the caller decides
                    lines.append(f"Ray task {i + 1} failed: {type(exc).__name__}: "
                                 f"{str(exc).strip().splitlines()[-1][:300] if str(exc).strip() else ''}")
        return lines

    def running(self) -> int:
        _, not_done = self.ray.wait(self.refs, num_returns=len(self.refs), timeout=0)
        return len(not_done)

    def stop(self) -> None:
        for ref in self.refs:
            self.ray.cancel(ref, force=True)
