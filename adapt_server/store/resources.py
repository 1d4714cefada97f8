"""The job-backed resource, written once: a table whose rows live and die with one job each (datasets,
evaluations, fine-tunes).

Every such table has `id`, `request_id` (unique when set), `request_hash` and `created_at`. A row is created
in one transaction with its PENDING job; a create that repeats an earlier `request_id` with the same request
(same hash) returns the row it created, one with a different request is ALREADY_EXISTS (a reused request_id
is a client bug, not a retry). Rows are listed oldest first with keyset pages, and deleted with their job.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from adapt_server.errors import AlreadyExists
from adapt_server.store.db import transaction
from adapt_server.store.jobs import Job, JobQueue
from adapt_server.store.pages import keyset_page


@dataclass(frozen=True)
class JobResource:
    """What distinguishes one job-backed resource from another."""

    table: str        # e.g. "datasets"
    noun: str         # how messages name one, e.g. "dataset"
    plural: str       # e.g. "datasets"
    job_kind: str     # the kind of its job, e.g. "dataset.ingest"
    payload_key: str  # the job payload's key for the resource id, e.g. "dataset_id"


class JobResourceTable:
    """Create (idempotent), get, page and delete rows of one job-backed resource."""

    def __init__(self, db: sqlite_utils.Database, resource: JobResource):
        self.db = db
        self.resource = resource
        self.jobs = JobQueue(db)

    def create(self, request_id: str | None, request_hash: str, max_attempts: int,
               new_row: Callable[[], dict], also: Callable[[str], None] | None = None) -> tuple[str, bool]:
        """Inserts the row that `new_row()` describes (its columns, "id" included; request_id, request_hash
        and created_at are added) and its PENDING job, atomically. Returns (id, created): a request_id seen
        before gives the row it created, or AlreadyExists when the request differs. also(id): inserts rows
        that are created with this one (its lineage, its consent), inside the same transaction."""
        table, noun = self.resource.table, self.resource.noun
        with transaction(self.db):
            row = self.db.execute(f"SELECT id, request_hash FROM {table} WHERE request_id = ?",
                                  [request_id]).fetchone() if request_id else None
            if row is not None:
                if row["request_hash"] != request_hash:
                    raise AlreadyExists(
                        f"request_id {request_id!r} was already used to create {noun} {row['id']} with different "
                        f"parameters; send a new request_id for a new {noun}")
                return row["id"], False
            values = {**new_row(), "request_id": request_id or None, "request_hash": request_hash,
                      "created_at": time.time()}
            self.db.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                            list(values.values()))
            self.jobs.enqueue(self.resource.job_kind, values["id"], {self.resource.payload_key: values["id"]},
                              max_attempts)
            if also is not None:
                also(values["id"])
        return values["id"], True

    def row(self, resource_id: str):
        return self.db.execute(f"SELECT * FROM {self.resource.table} WHERE id = ?", [resource_id]).fetchone()

    def job(self, resource_id: str) -> Job | None:
        return self.jobs.for_resource(resource_id)

    def page(self, size: int, after: tuple[float, str] | None,
             filters: Sequence[tuple[str, Sequence]] = ()) -> tuple[list, str]:
        """Rows oldest first (matching `filters`); returns (rows, next_page_token or '')."""
        return keyset_page(self.db, f"SELECT * FROM {self.resource.table}", size, after, filters)

    def delete_row(self, resource_id: str) -> None:
        """Deletes the row and its job; runs inside the caller's transaction."""
        self.db.execute(f"DELETE FROM {self.resource.table} WHERE id = ?", [resource_id])
        self.jobs.delete_for_resource(resource_id)

    def delete(self, resource_id: str) -> None:
        with transaction(self.db):
            self.delete_row(resource_id)
