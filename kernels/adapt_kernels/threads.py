"""One place to size the thread pools of numba, BLAS, torch and CTranslate2, so they don't oversubscribe.

Each library sizes its own pool to every core by default. Several pools in one process, or one per worker
process, run far more threads than cores; idle OpenBLAS threads also spin for a while after each call and
steal the core from whatever runs next (on this 2-core machine that made the numba log-mel slower than
numpy, see docs/facts.md, Threads). So each process should call, once at start::

    budget = thread_budget(worker_processes=n_workers)      # how to split the cores
    applied = apply_thread_budget(budget)                     # numba, BLAS, torch
    model = ctranslate2.models.Whisper(path, **budget.ctranslate2_kwargs())

CTranslate2 has no global setting: its thread counts are constructor arguments, hence ``ctranslate2_kwargs``.
The libraries run one after another inside a process (front-end, then model), so each gets the whole
per-process share, except BLAS: numpy/scipy only do small matrix work in Adapt (the log-mel uses no BLAS,
torch and CTranslate2 bring their own pools), so it gets one thread and never spins.

Worker processes must be started with "spawn" (as ``adapt_server.jobs`` does): numba's OpenMP threading
layer, the one available here, is not fork-safe.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass

import numba

# Environment variables read by OpenBLAS / MKL when they load: set for BLAS loaded later in this process and
# for child processes, which inherit the environment.
_BLAS_ENVIRONMENT_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class ThreadBudget:
    """Threads each library may use inside one process (all counts >= 1)."""

    numba: int  # numba prange kernels, e.g. the log-mel (numba.set_num_threads)
    blas: int  # OpenBLAS / MKL behind numpy and scipy
    torch: int  # torch intra-op threads (torch.set_num_threads)
    ctranslate2_intra: int  # CTranslate2 intra_threads: OpenMP threads inside one model call

    def ctranslate2_kwargs(self) -> dict[str, int]:
        """Keyword arguments for ``ctranslate2.models.Whisper(...)`` (one batch at a time per process)."""
        return {"intra_threads": self.ctranslate2_intra, "inter_threads": 1}


@dataclass(frozen=True)
class AppliedThreads:
    """What :func:`pin_threads` set; None where it was not asked to touch a library."""

    numba: int | None  # numba.get_num_threads() afterwards (capped at NUMBA_NUM_THREADS)
    blas: int | None  # the requested BLAS thread count
    blas_via: str  # "threadpoolctl" (loaded BLAS limited now), "environment" (BLAS not loaded yet), or "not asked"
    torch: int | None  # torch.get_num_threads() afterwards; None also when torch is not installed


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and taskset narrow), >= 1."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def thread_budget(worker_processes: int = 1, total_cores: int | None = None) -> ThreadBudget:
    """Split ``total_cores`` (default: :func:`available_cores`) among ``worker_processes`` processes.

    Each process gets total_cores // worker_processes threads (at least 1) for numba, torch and
    CTranslate2, and 1 for BLAS (see the module docstring). More workers than cores gives 1 thread each.
    """
    if isinstance(worker_processes, bool) or not isinstance(worker_processes, int) or worker_processes < 1:
        raise ValueError(f"worker_processes must be an integer >= 1; got {worker_processes!r}")
    cores = available_cores() if total_cores is None else total_cores
    if isinstance(cores, bool) or not isinstance(cores, int) or cores < 1:
        raise ValueError(f"total_cores must be an integer >= 1; got {total_cores!r}")
    per_process = max(1, cores // worker_processes)
    return ThreadBudget(numba=per_process, blas=1, torch=per_process, ctranslate2_intra=per_process)


def apply_thread_budget(budget: ThreadBudget) -> AppliedThreads:
    """Pin numba, BLAS and torch to ``budget`` in this process (CTranslate2: use budget.ctranslate2_kwargs())."""
    return pin_threads(numba=budget.numba, blas=budget.blas, torch=budget.torch)


def pin_threads(numba: int | None = None, blas: int | None = None, torch: int | None = None) -> AppliedThreads:
    """Set the thread count of each library given (None: leave it alone); returns what was applied.

    numba: ``numba.set_num_threads`` (capped at NUMBA_NUM_THREADS, fixed when numba started).
    blas: threadpoolctl limits every BLAS already loaded; the OPENBLAS/MKL_NUM_THREADS environment
        variables are set too, for BLAS loaded later and for child processes.
    torch: ``torch.set_num_threads`` (imports torch if installed; skipped when it is not).
    """
    for name, value in (("numba", numba), ("blas", blas), ("torch", torch)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"pin_threads({name}=...) takes an integer >= 1 or None; got {value!r}")
    return AppliedThreads(
        numba=_pin_numba(numba) if numba is not None else None,
        blas=blas,
        blas_via=_pin_blas(blas) if blas is not None else "not asked",
        torch=_pin_torch(torch) if torch is not None else None,
    )


def _pin_numba(threads: int) -> int:
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    return numba.get_num_threads()


def _pin_blas(threads: int) -> str:
    for variable in _BLAS_ENVIRONMENT_VARIABLES:
        os.environ[variable] = str(threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return "environment"  # without threadpoolctl, a BLAS that is already loaded keeps its pool
    threadpool_limits(limits=threads, user_api="blas")  # applies now, process-wide, until changed again
    return "threadpoolctl"


def _pin_torch(threads: int) -> int | None:
    if "torch" not in sys.modules and importlib.util.find_spec("torch") is None:
        return None
    import torch

    torch.set_num_threads(threads)
    return torch.get_num_threads()
