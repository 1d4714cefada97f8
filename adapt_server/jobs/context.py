"""What a job handler sees: its payload, the store, and calls to report progress and check for cancel."""
from __future__ import annotations

import time
from dataclasses import dataclass

from adapt_server.config import ServerConfig
from adapt_server.store.jobs import Job, JobQueue, Progress
from adapt_server.store.store import Store

REPORT_INTERVAL_S = 0.5  # progress is written (and streamed to watchers) at most this often; stage changes always are


class JobCancelled(Exception):
    """Raised inside a handler when its job was cancelled (or its lease lost); the worker ends it."""


@dataclass
class JobContext:
    job: Job
    queue: JobQueue
    store: Store
    config: ServerConfig
    executor: object = None  # where the job's shards run (jobs/executor.py); None: in this process
    _last_report: float = 0.0
    _last_stage: str | None = None
    _started: float = 0.0

    def __post_init__(self):
        self._started = time.monotonic()
        if self.executor is None and self.store is not None:  # (tests hand the training library a bare context)
            from adapt_server.jobs.executor import LocalExecutor
            self.executor = LocalExecutor(local_node(self.store, self.config))

    @property
    def payload(self) -> dict:
        return self.job.payload

    def progress(self, fraction: float, stage: str, done: int = 0, total: int = 0, unit: str = "",
                 message: str = "", force: bool = False) -> None:
        """Records progress (throttled) and raises JobCancelled when a cancel was requested.

        fraction: 0..1 of the whole job; stage: what runs now; done/total: units of this stage.
        Each write is also an event of the log that Watch streams (message: `message`, or the stage name).
        """
        now = time.monotonic()
        new_stage = stage != self._last_stage
        if not (force or new_stage or message or now - self._last_report >= REPORT_INTERVAL_S):
            return
        elapsed = now - self._started
        eta = elapsed * (1 - fraction) / fraction if fraction >= 0.02 else -1.0
        progress = Progress(fraction=min(max(fraction, 0.0), 1.0), stage=stage, done=done, total=total,
                            unit=unit, eta_seconds=round(eta, 1), message=message)
        event_text = message or (f"stage {stage}" if new_stage else stage)
        if not self.queue.report(self.job, progress, event_text):
            raise JobCancelled("this run of the job lost its lease")
        self._last_report, self._last_stage = now, stage
        self.check_cancelled()

    def log(self, message: str, level: str = "info", **details) -> None:
        self.queue.log(self.job, level, message, details or None)

    def check_cancelled(self) -> None:
        if self.queue.cancel_requested(self.job):
            raise JobCancelled("cancel requested")


def local_node(store: Store, config: ServerConfig):
    """The node environment of a shard run in this worker process: the server's blob store and engine cache,
    this worker's share of the cores."""
    from adapt_kernels.threads import thread_budget

    from adapt_server.jobs.node import NodeEnv
    return NodeEnv(blobs=store.blobs, engine_cache_dir=config.engine_cache_dir,
                   threads=thread_budget(worker_processes=config.workers).torch, device=config.device)
