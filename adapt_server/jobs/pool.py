"""The pool of worker processes: start, watch (restart a dead worker and recover its job), stop."""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Mapping

from adapt_server.config import ServerConfig
from adapt_server.jobs.worker import worker_main
from adapt_server.observability import metrics

log = logging.getLogger("adapt.pool")
STOP_GRACE_S = 5.0
CRASH_LOOP_S = 10.0       # a worker that dies sooner than this after starting is crash-looping
MAX_RESTART_DELAY_S = 60.0


class WorkerPool:
    """handlers: job kind -> "module:function" of the function that runs it (see jobs/handlers.py)."""

    def __init__(self, config: ServerConfig, store, handlers: Mapping[str, str]):
        self.config = config
        self.store = store
        self.handlers = dict(handlers)
        self._ctx = multiprocessing.get_context("spawn")  # never fork a process that runs grpc
        self._stop = self._ctx.Event()
        self._procs: dict[str, multiprocessing.Process] = {}
        self._started_at: dict[str, float] = {}
        self._next_start: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    def start(self) -> None:
        for i in range(self.config.workers):
            self._spawn(f"worker-{i}")

    def _spawn(self, name: str) -> None:
        proc = self._ctx.Process(target=worker_main, name=name, daemon=True,
                                 args=(self.config, name, os.getpid(), self._stop, self.handlers))
        proc.start()
        self._procs[name] = proc
        self._started_at[name] = time.monotonic()

    def check(self) -> list[str]:
        """Restarts workers that died; their running job resumes or fails. Returns the names restarted."""
        restarted = []
        now = time.monotonic()
        for name, proc in list(self._procs.items()):
            if proc.is_alive() or self._stop.is_set() or now < self._next_start.get(name, 0.0):
                continue
            if name not in self._next_start:  # first sight of this death
                reason = f"worker process {name} died (exit code {proc.exitcode})"
                log.warning(reason)
                metrics.process_died(proc.pid)
                self.store.jobs.recover(reason, worker=name)
                crash_looping = now - self._started_at[name] < CRASH_LOOP_S
                self._delay[name] = min(MAX_RESTART_DELAY_S, 2 * self._delay.get(name, 0.5)) if crash_looping else 0.0
                self._next_start[name] = now + self._delay[name]
                if self._delay[name]:
                    log.error("%s keeps dying at start; next try in %.0f s (see the traceback above)",
                              name, self._delay[name])
                    continue
            del self._next_start[name]
            self._spawn(name)
            restarted.append(name)
        return restarted

    def stop(self) -> None:
        """Asks workers to stop after their current poll; kills those still busy after a grace period.
        Their jobs go back to PENDING and resume at the next start."""
        self._stop.set()
        for proc in self._procs.values():
            proc.join(timeout=STOP_GRACE_S)
        for name, proc in self._procs.items():
            if proc.is_alive():
                proc.kill()
                proc.join()
            self.store.jobs.recover("server shut down while this job ran", worker=name)
        self._procs.clear()
