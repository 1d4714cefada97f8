"""The Watch loop over a real job queue (SQLite): the terminal event always reaches the watcher."""
import asyncio
from types import SimpleNamespace

import pytest

from adapt.v1 import common_pb2
from adapt_server.api.watch import job_events
from adapt_server.jobs.service import JobService
from adapt_server.store.db import connect, migrate, transaction
from adapt_server.store.jobs import SUCCEEDED, JobQueue, Progress


class JobFinishingOnFirstCheck(JobService):
    """Finishes the running job inside the first `ended` check: the job ends between the Watch loop's read of
    the event log and its check of the job's state (the interleaving a worker thread produces by chance)."""

    def __init__(self, queue, running_job):
        super().__init__(queue)
        self.running_job = running_job

    def ended(self, job_id):
        if self.running_job is not None:
            self.queue.finish(self.running_job, SUCCEEDED)
            self.running_job = None
        return super().ended(job_id)


class SameThreadRunner:
    """The ServiceRunner's `run` contract (await fn(services)) on one thread: SQLite stays on its thread."""

    def __init__(self, jobs):
        self.services = SimpleNamespace(jobs=jobs)

    async def run(self, fn):
        return fn(self.services)


def _collect(runner, job_id, after=0):
    async def collect():
        return [event async for event in job_events(runner, job_id, "ds_1", after)]
    return asyncio.run(collect())


@pytest.fixture
def queue_and_job(tmp_path):
    """A real SQLite job queue holding one pending job for the resource ds_1: (queue, job id)."""
    db = connect(tmp_path / "q.sqlite3")
    migrate(db)
    queue = JobQueue(db)
    with transaction(db):
        job_id = queue.enqueue("dataset.ingest", "ds_1", {}, 3)
    return queue, job_id


def test_a_job_finishing_between_the_read_and_the_check_still_sends_its_terminal_event(queue_and_job):
    queue, job_id = queue_and_job
    job = queue.claim("w1")
    queue.report(job, Progress(fraction=0.97, stage="stats", done=2, total=2, unit="files"), "stats")

    events = _collect(SameThreadRunner(JobFinishingOnFirstCheck(queue, job)), job_id)

    assert common_pb2.State.Name(events[-1].state) == SUCCEEDED, [common_pb2.State.Name(e.state) for e in events]
    assert events[-1].progress.fraction == 1.0


def test_a_watch_past_the_end_of_a_finished_job_ends_without_events(queue_and_job):
    queue, job_id = queue_and_job
    queue.finish(queue.claim("w1"), SUCCEEDED)
    last = queue.events(job_id)[-1].seq

    assert _collect(SameThreadRunner(JobService(queue)), job_id, after=last) == []
