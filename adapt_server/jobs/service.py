"""What the API reads of jobs themselves: a job's event log (the Watch RPCs stream it) and how many jobs wait or
run (server status). Free of gRPC."""
from __future__ import annotations

from adapt_server.store.jobs import PENDING, RUNNING, JobEvent, JobQueue


class JobService:
    """project: whose jobs `active` counts (a caller sees its own project's queue, not other projects')."""

    def __init__(self, queue: JobQueue, project: str | None = None):
        self.queue = queue
        self.project = project

    def events(self, job_id: str, after_sequence: int) -> list[JobEvent]:
        """The job's events with sequence > after_sequence, oldest first (a page of at most 500)."""
        return self.queue.events(job_id, after_sequence)

    def ended(self, job_id: str) -> bool:
        """True when the job finished, or is gone (its resource was deleted)."""
        job = self.queue.get(job_id)
        return job is None or job.terminal

    def active(self) -> dict[str, int]:
        """{"PENDING": n, "RUNNING": m}: the jobs waiting for a worker and those running."""
        counts = self.queue.count_by_state((PENDING, RUNNING), self.project)
        return {state: counts.get(state, 0) for state in (PENDING, RUNNING)}
