import pytest

from adapt_server.store.db import connect, migrate, transaction
from adapt_server.store.jobs import CANCELLED, FAILED, PENDING, RUNNING, SUCCEEDED, JobQueue, Progress


@pytest.fixture
def queue(tmp_path):
    db = connect(tmp_path / "q.sqlite3")
    migrate(db)
    return JobQueue(db)


def _enqueue(queue, resource="r1", max_attempts=3):
    with transaction(queue.db):
        return queue.enqueue("dataset.ingest", resource, {"x": 1}, max_attempts)


def test_claim_runs_oldest_first_and_only_once(queue):
    first, second = _enqueue(queue, "r1"), _enqueue(queue, "r2")
    a = queue.claim("w1")
    b = queue.claim("w2")
    assert (a.id, b.id) == (first, second)
    assert a.state == RUNNING and a.attempts == 1 and a.payload == {"x": 1}
    assert queue.claim("w3") is None


def test_progress_events_and_finish(queue):
    _enqueue(queue)
    job = queue.claim("w1")
    assert queue.report(job, Progress(fraction=0.5, stage="decode", done=1, total=2), "halfway")
    assert queue.finish(job, SUCCEEDED)
    final = queue.get(job.id)
    assert final.state == SUCCEEDED and final.progress.fraction == 1.0
    events = queue.events(job.id)
    assert [e.state for e in events] == [PENDING, RUNNING, RUNNING, SUCCEEDED]
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert queue.events(job.id, after_seq=3)[0].state == SUCCEEDED
    assert not queue.finish(job, FAILED, "INTERNAL", "late"), "a finished job is never modified"
    assert queue.get(job.id).state == SUCCEEDED


def test_recover_requeues_then_fails_after_max_attempts(queue):
    _enqueue(queue, max_attempts=2)
    stale = queue.claim("w1")
    [recovered] = queue.recover("server crashed")
    assert recovered.state == PENDING
    assert not queue.report(stale, Progress(fraction=0.9)), "the stale run lost its lease"
    again = queue.claim("w1")
    assert again.attempts == 2
    [failed] = queue.recover("server crashed")
    assert failed.state == FAILED and failed.error_code == "ABORTED"
    assert "gave up after 2" in failed.error_message


def test_recover_only_touches_the_named_worker(queue):
    _enqueue(queue, "r1")
    _enqueue(queue, "r2")
    queue.claim("w1")
    queue.claim("w2")
    [recovered] = queue.recover("worker died", worker="w2")
    assert recovered.resource_id == "r2"
    assert queue.for_resource("r1").state == RUNNING


def test_cancel_pending_is_immediate_and_running_is_flagged(queue):
    pending = _enqueue(queue, "r1")
    assert queue.request_cancel(pending).state == CANCELLED
    _enqueue(queue, "r2")
    job = queue.claim("w1")
    assert queue.request_cancel(job.id).state == RUNNING
    assert queue.cancel_requested(job)
    assert queue.finish(job, CANCELLED)
    assert queue.request_cancel(job.id).state == CANCELLED  # no-op on a finished job
