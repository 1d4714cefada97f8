"""A worker process: claims jobs from the SQLite queue and runs them, one at a time, off the event loop."""
from __future__ import annotations

import ctypes
import logging
import os
import secrets
import signal
import time
import traceback
from collections.abc import Mapping

from adapt_server import egress
from adapt_server.config import ServerConfig
from adapt_server.errors import AdaptError
from adapt_server.jobs.context import JobCancelled, JobContext
from adapt_server.jobs.handlers import resolve
from adapt_server.observability import metrics, tracing
from adapt_server.store.jobs import CANCELLED, FAILED, SUCCEEDED

POLL_INTERVAL_S = 0.2
log = logging.getLogger("adapt.worker")


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when the server dies (kill -9 included), so no orphan worker
    keeps writing after a crash; the restarted server recovers the job instead."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:  # not Linux: the parent-pid check in the loop covers it
        pass


def worker_main(config: ServerConfig, name: str, parent_pid: int, stop_event, handlers: Mapping[str, str]) -> None:
    """Entry point of a worker process (multiprocessing 'spawn'); handlers: job kind -> "module:function"."""
    egress.configure()  # first: dependencies' phone-home switches off, outbound attempts recorded (egress.py)
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    from adapt_kernels.threads import pin_threads, thread_budget
    budget = thread_budget(worker_processes=config.workers)
    os.environ["OMP_NUM_THREADS"] = str(budget.torch)  # torch/CTranslate2 loaded later by handlers
    pin_threads(numba=budget.numba, blas=budget.blas)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s {name} %(levelname)s %(message)s")
    tracing.configure("adapt-worker")
    from adapt_server.store.store import Store
    store = Store.open(config)
    executor = make_executor(config, store)
    while not stop_event.is_set() and os.getppid() == parent_pid:
        job = store.jobs.claim(name, frozenset(handlers))
        if job is None:
            time.sleep(POLL_INTERVAL_S)
            continue
        run_job(store, config, job, handlers, executor)


def make_executor(config: ServerConfig, store):
    """The executor --executor names: None (shards run in this process) or a RayExecutor."""
    if config.executor != "ray":
        return None
    from adapt_server.jobs.node import NodeSpec
    from adapt_server.jobs.ray_executor import RayExecutor, connect
    spec = store.blobs.spec
    # a node other than the server's opens the same store with a cache of its own (and its own engine cache);
    # with the local store, workers must share this machine's disk (the tests' one-machine cluster)
    node = NodeSpec(blobs=spec.on_node(""), engine_cache_dir="" if config.blob_store else str(config.engine_cache_dir),
                    device=config.device)
    connect(config.ray_address)  # fail at start (the pool logs it and retries) rather than in a job
    return RayExecutor(config.ray_address, node)


def run_job(store, config, job, handlers: Mapping[str, str], executor=None) -> None:
    """Runs one claimed job to a terminal state; every failure is recorded on the job, never swallowed."""
    queue = store.jobs
    # the handler sees the job's project only (tenancy: store/scope.py), as the API call that made the job did
    context = JobContext(job=job, queue=queue, store=store.scoped(job.project_id), config=config, executor=executor)
    log.info("running %s %s (%s)", job.kind, job.id, job.resource_id)
    started, state = time.monotonic(), FAILED
    with tracing.span(f"job {job.kind}", {"adapt.job.id": job.id, "adapt.job.kind": job.kind,
                                          "adapt.resource.id": job.resource_id, "adapt.job.attempt": job.attempts,
                                          "adapt.executor": context.executor.name}) as span:
        try:
            handler = resolve(handlers, job.kind)
            result = handler(context)
        except JobCancelled as exc:
            state = CANCELLED
            queue.finish(job, CANCELLED, message=f"cancelled: {exc}")
        except AdaptError as exc:
            queue.finish(job, FAILED, exc.code, exc.message)
            tracing.set_attributes(span, **{"adapt.error.code": exc.code})
        except Exception:  # a bug or an environment problem: the traceback goes to the server log only, under a
            # reference the job's error and event name (clients never see server paths or tracebacks)
            reference = secrets.token_hex(4)
            log.error("job %s (%s) failed (reference %s)\n%s", job.id, job.kind, reference, traceback.format_exc())
            message = (f"internal error (reference {reference}): this is a bug in the server, not in your request; "
                       "its log has the details under that reference")
            queue.log(job, "error", message, {"reference": reference})
            queue.finish(job, FAILED, "INTERNAL", message)
            tracing.set_attributes(span, **{"adapt.error.code": "INTERNAL"})
        else:
            state = SUCCEEDED
            queue.finish(job, SUCCEEDED, message=result or "succeeded")
        tracing.set_attributes(span, **{"adapt.job.state": state})
    metrics.job_finished(job.kind, state, time.monotonic() - started)
    tracing.flush()
