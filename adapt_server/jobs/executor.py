"""Where the shards of a job run: in the job's worker process (`LocalExecutor`, the embedded default) or as
tasks on a Ray cluster (`RayExecutor`, jobs/ray_executor.py). There is ONE job lifecycle either way: a worker
process of the server claims the job from the SQLite queue and runs its handler (the driver); the handler
cuts its work into shards and hands them to `ctx.executor.map`; each shard's result comes back to the driver,
which commits it through the store and reports progress, so the durable job record, its progress, the Watch
events, cancel and crash recovery are the queue's, exactly as without shards.

Why the driver commits (and shards never write to the store): the store is one SQLite file on the server's
disk with one writer at a time. A shard on another node cannot open it, and a store connection per task
would turn the queue's single writer into a network service we would have to build. A shard's result is
small (rows, blob hashes; audio goes to the blob store, which every node reaches), so returning it costs
little; and a commit in the driver is idempotent by the shard's key ((dataset, file) -> recording ids,
(evaluation, scope, model, utterance) -> hypothesis rows), so a shard whose result arrives twice, or a job
resumed after a crash, never duplicates committed work.

The contract of `map(function, tasks, on_result, check)`:
- `function` is "module:function", called as function(node, task) with a `NodeEnv` (jobs/node.py) and a
  picklable task; it returns a picklable result and must not touch the SQLite store.
- `on_result(index, result)` is called in the driver, in task order (a later shard that finishes first
  waits for the earlier ones), so the committed rows are in the same order whatever ran them.
- `check()` runs often in the driver (progress, cancel): when it raises (JobCancelled, a lost lease), every
  shard still running is cancelled and the exception propagates.
- `tasks` may be a lazy iterable: the local executor runs each task before it takes the next one (so a
  generator may hold a resource, such as a fetched file, open while its task runs); the Ray executor takes a
  bounded window ahead.
- A shard raising AdaptError fails the job with that status, as a handler would; a shard whose process dies
  is retried (Ray: `SHARD_RETRIES` times), then the job fails with ShardFailed (ABORTED) saying so.
"""
from __future__ import annotations

import ctypes
import importlib
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from adapt_server.errors import Aborted
from adapt_server.jobs.node import NodeEnv, NodeSpec

SHARD_RETRIES = 2  # reruns of a shard whose worker process died (Ray); an exception in the shard is not retried


class ShardFailed(Aborted):
    """A shard's process died more often than SHARD_RETRIES allows (or a rank of a distributed run died)."""


def resolve_function(target: str) -> Callable:
    """"module:function" -> the function (imported on first use, in whatever process runs it)."""
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)


class ProcessGroup(Protocol):
    """Processes started by `Executor.spawn` (the extra ranks of a distributed training run)."""

    def failures(self) -> list[str]:
        """One line per process that ended with an error (so far); empty while all run or ended well."""

    def running(self) -> int:
        """How many are still running."""

    def stop(self) -> None:
        """Ends every process still running (a cancelled or failed run)."""


class Executor(Protocol):
    name: str

    def map(self, function: str, tasks: Iterable, on_result: Callable[[int, Any], None],
            check: Callable[[], None], cpus: float = 1) -> None: ...

    def spawn(self, function: str, args: Sequence[tuple], cpus: float = 1) -> ProcessGroup: ...

    def cluster_cpus(self) -> int: ...

    node_spec: NodeSpec

    def host(self) -> str: ...


class LocalExecutor:
    """Runs each shard in the job's worker process, one after another (the embedded default)."""

    name = "local"

    def __init__(self, node: NodeEnv):
        self.node = node

    def map(self, function: str, tasks: Iterable, on_result: Callable[[int, Any], None],
            check: Callable[[], None], cpus: float = 1) -> None:
        run = resolve_function(function)
        for index, task in enumerate(tasks):
            check()
            on_result(index, run(self.node, task))

    def spawn(self, function: str, args: Sequence[tuple], cpus: float = 1) -> "LocalProcesses":
        return LocalProcesses(function, args)

    def cluster_cpus(self) -> int:
        return max(1, self.node.threads)

    @property
    def node_spec(self) -> NodeSpec:
        """How a process this executor starts opens the same environment."""
        return NodeSpec(self.node.blobs.spec, str(self.node.engine_cache_dir), self.node.threads, self.node.device)

    def host(self) -> str:
        """The address of this process's machine as the processes it starts reach it."""
        return "127.0.0.1"


class LocalProcesses:
    """Processes of this machine, each a fresh interpreter (`python -m adapt_server.jobs.executor`, its call
    pickled on stdin: a job's worker process is daemonic and may not use multiprocessing, and a fork of a
    process holding OpenMP or gRPC threads is unsafe), each dying with the job's worker (PR_SET_PDEATHSIG)."""

    def __init__(self, function: str, args: Sequence[tuple]):
        self.names = [f"{function.rsplit(':', 1)[-1]}-{i}" for i in range(len(args))]
        self.procs = []
        for a in args:
            proc = subprocess.Popen([sys.executable, "-m", "adapt_server.jobs.executor"], stdin=subprocess.PIPE)
            proc.stdin.write(pickle.dumps((function, a)))
            proc.stdin.close()
            self.procs.append(proc)

    def failures(self) -> list[str]:
        return [f"process {name} (pid {p.pid}) exited with {_describe_exit(p.returncode)}"
                for name, p in zip(self.names, self.procs) if p.poll() not in (None, 0)]

    def running(self) -> int:
        return sum(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


def _child_main() -> None:
    """A LocalProcesses child: function(*args) from the pickle on stdin."""
    from adapt_server import egress
    egress.configure()
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the job's worker process
    except OSError:
        pass
    function, args = pickle.loads(sys.stdin.buffer.read())
    resolve_function(function)(*args)


if __name__ == "__main__":
    _child_main()
