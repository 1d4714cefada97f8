"""The executors (jobs/executor.py): the local one, and Ray on a real local cluster of two worker processes:
results come back in task order, a shard whose process dies is retried (bounded), a shard's own error keeps its
status, a cancelled map cancels its running tasks, and shards reach the blob store through their node."""
from __future__ import annotations

import os
import time

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.jobs.context import JobCancelled
from adapt_server.jobs.executor import SHARD_RETRIES, LocalExecutor, ShardFailed
from adapt_server.jobs.node import NodeEnv, NodeSpec
from adapt_server.store.blob_protocol import BlobStoreSpec
from adapt_server.store.blobs import BlobStore
from testkit.ray_cluster import RayCluster

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    started = RayCluster(cpus=2).start()
    yield started
    import ray
    if ray.is_initialized():
        ray.shutdown()
    started.stop()


@pytest.fixture
def ray_executor(cluster, tmp_path):
    from adapt_server.jobs.ray_executor import RayExecutor
    return RayExecutor(cluster.address, NodeSpec(BlobStoreSpec(local_root=str(tmp_path / "blobs"))))


def collect(executor, function, tasks, check=lambda: None):
    results = []
    executor.map(f"testkit.shards:{function}", tasks, lambda index, result: results.append((index, result)), check)
    return results


def test_local_executor_runs_in_order_in_this_process(tmp_path):
    local = LocalExecutor(NodeEnv(BlobStore(tmp_path), tmp_path / "engines", 1))
    results = collect(local, "square", [(3, 0), (4, 0)])
    assert results == [(0, (9, os.getpid())), (1, (16, os.getpid()))]
    with pytest.raises(InvalidArgument, match="refuses"):
        collect(local, "refuse", [7])


def test_ray_delivers_in_task_order_from_two_workers(ray_executor):
    # the first shard is the slowest: the others finish first and wait for it
    results = collect(ray_executor, "square", [(1, 1.5), (2, 0.0), (3, 0.0), (4, 0.0)])
    assert [index for index, _ in results] == [0, 1, 2, 3]
    assert [value for _, (value, _) in results] == [1, 4, 9, 16]
    pids = {pid for _, (_, pid) in results}
    assert os.getpid() not in pids and len(pids) == 2  # two Ray worker processes ran them
    assert ray_executor.cluster_cpus() == 2


def test_a_shard_whose_process_dies_is_retried(ray_executor, tmp_path):
    marker = tmp_path / "died-once"
    [(_, (text, pid))] = collect(ray_executor, "die_once", [str(marker)])
    assert text == "survived" and marker.exists() and int(marker.read_text()) != pid


def test_a_shard_that_keeps_dying_fails_the_job_with_aborted(ray_executor):
    with pytest.raises(ShardFailed, match=f"lost {SHARD_RETRIES + 1} times") as raised:
        collect(ray_executor, "always_die", [0])
    assert raised.value.code == "ABORTED"


def test_a_shard_error_keeps_its_status(ray_executor):
    with pytest.raises(InvalidArgument, match="shard 5 refuses: the input says what to fix"):
        collect(ray_executor, "refuse", [5])


def test_cancel_stops_the_running_shards(ray_executor, tmp_path):
    paths = [str(tmp_path / f"shard{i}") for i in range(2)]
    started = time.monotonic()

    def check():
        if all(os.path.exists(p + ".started") for p in paths):
            raise JobCancelled("cancel requested")
        assert time.monotonic() - started < 60
    with pytest.raises(JobCancelled):
        collect(ray_executor, "slow_then_mark", [(p, 6.0) for p in paths], check)
    time.sleep(8)
    assert not any(os.path.exists(p) for p in paths), "a cancelled shard ran to its end"


def test_shards_read_and_write_through_the_blob_store(ray_executor, tmp_path):
    store = BlobStore(tmp_path / "blobs")
    sha = store.put_bytes(b"abc")
    [(_, new_sha)] = collect(ray_executor, "blob_roundtrip", [sha])
    assert store.read_bytes(new_sha) == b"cba"
