"""The use cases every job-backed resource shares (datasets, evaluations, fine-tunes), written once: get,
list, cancel, delete. Free of gRPC; the errors say what to fix.

`repository` is the resource's repository in store/ (`get(id)`, `list_page(size, after, **filters)`,
`delete(id)` and `table.resource`, its `JobResource`).
"""
from __future__ import annotations

from typing import Generic, TypeVar

from adapt_server.errors import FailedPrecondition, NotFound, echo
from adapt_server.store.jobs import JobQueue
from adapt_server.store.pages import requested_page

R = TypeVar("R")  # the resource's record (DatasetRecord, EvaluationRecord, FineTuneRecord): has .id and .job


class JobBackedResources(Generic[R]):
    """The base of a job-backed resource's service. cancel_rpc: the RPC that cancels one (named in the message
    when a delete comes too early)."""

    def __init__(self, repository, jobs: JobQueue, cancel_rpc: str):
        self.repository = repository
        self.jobs = jobs
        self.resource = repository.table.resource
        self.cancel_rpc = cancel_rpc

    def get(self, resource_id: str) -> R:
        record = self.repository.get(resource_id) if resource_id else None
        if record is None:
            raise NotFound(f"{self.resource.noun} {echo(resource_id)} does not exist; list {self.resource.plural} to "
                           "see the ids")
        return record

    def list(self, requested_size: int, token: str, **filters) -> tuple[list[R], str]:
        """One page (oldest first) and the next page's token ('' after the last)."""
        return requested_page(self.repository.list_page, requested_size, token, **filters)

    def cancel(self, resource_id: str) -> R:
        """PENDING: cancelled at once; RUNNING: its worker stops at the next check; finished: unchanged."""
        self.jobs.request_cancel(self.get(resource_id).job.id)
        return self.get(resource_id)

    def delete(self, resource_id: str):
        """Deletes a finished resource with its job; returns what the repository's delete returns."""
        record = self.get(resource_id)
        if not record.job.terminal:
            raise FailedPrecondition(f"{self.resource.noun} {resource_id} is {record.job.state}; cancel it first "
                                     f"({self.cancel_rpc}) and delete it once it is CANCELLED")
        return self.repository.delete(resource_id)
