"""Resources of projects, written once: `ScopedTable` confines every read, page, insert and delete of a table
to one project (store/scope.py), and `JobResourceTable` builds on it for the job-backed resources (datasets,
evaluations, fine-tunes) whose rows live and die with one job each.

A scoped table has a `project_id` column. A row of another project is invisible: `row` returns None for it
exactly as for an id that does not exist, pages skip it, a delete does not reach it, a request_id is looked
up only among the project's own rows. Child tables (a dataset's recordings) are confined through their
parent with `owned`.

Every job-backed table has `id`, `request_id` (unique per project when set), `request_hash` and `created_at`.
A row is created in one transaction with its PENDING job; a create that repeats an earlier `request_id` of
the project with the same request (same hash) returns the row it created, one with a different request is
ALREADY_EXISTS (a reused request_id is a client bug, not a retry). A project may have at most
`max_active_jobs` jobs queued or running (RESOURCE_EXHAUSTED with a retry hint beyond). Rows are listed
oldest first with keyset pages, and deleted with their job.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from adapt_server.errors import AlreadyExists, ResourceExhausted
from adapt_server.store.db import transaction
from adapt_server.store.jobs import Job, JobQueue
from adapt_server.store.pages import CREATED_ORDER, keyset_page
from adapt_server.store.scope import ProjectScope

JOB_QUOTA_RETRY_S = 30.0  # the retry hint when a project's job quota is full: jobs take minutes


class ScopedTable:
    """One table's rows of one project. alias: the table's alias in `select` statements given to `page`;
    shared_reads: rows of the shared project are readable too (bundled models)."""

    def __init__(self, db: sqlite_utils.Database, table: str, scope: ProjectScope, alias: str | None = None,
                 shared_reads: bool = False):
        self.db = db
        self.table = table
        self.scope = scope
        self.alias = alias
        self.shared_reads = shared_reads

    def visible(self, writable: bool = False, aliased: bool = True) -> tuple[str, list]:
        """(SQL condition, parameters) of the rows this project sees (writable: its own rows only); the
        column is named through the table's alias unless `aliased` is False."""
        column = f"{self.alias}.project_id" if self.alias and aliased else "project_id"
        return self.scope.condition(column, shared=self.shared_reads and not writable)

    def owned(self, column: str) -> tuple[str, list]:
        """A filter for a child table: its `column` names a row of this table that the project sees."""
        condition, params = self.scope.condition(shared=self.shared_reads)
        return f"{column} IN (SELECT id FROM {self.table} WHERE {condition})", params

    def row(self, row_id: str, column: str = "id"):
        condition, params = self.visible(aliased=False)
        return self.db.execute(f"SELECT * FROM {self.table} WHERE {column} = ? AND {condition}",
                               [row_id, *params]).fetchone()

    def rows(self, order: str = "created_at, id", descending: bool = False) -> list:
        """Every visible row, ordered by `order` (newest first when `descending`)."""
        condition, params = self.visible(aliased=False)
        direction = " DESC" if descending else ""
        order_by = ", ".join(part.strip() + direction for part in order.split(","))
        return self.db.execute(f"SELECT * FROM {self.table} WHERE {condition} ORDER BY {order_by}", params).fetchall()

    def page(self, size: int, after: tuple[float, str] | None, filters: Sequence[tuple[str, Sequence]] = (),
             select: str | None = None, keys: Sequence[str] = CREATED_ORDER) -> tuple[list, str]:
        """Visible rows in key order (matching `filters`), one keyset page: (rows, next_page_token or '')."""
        return keyset_page(self.db, select or f"SELECT * FROM {self.table}", size, after,
                           [self.visible(), *filters], keys=keys)

    def insert(self, values: dict) -> None:
        """Inserts a row of this project (project_id is set here; runs in the caller's transaction if any)."""
        values = {**values, "project_id": self.scope.project}
        self.db.execute(f"INSERT INTO {self.table} ({', '.join(values)}) VALUES ({', '.join('?' for _ in values)})",
                        list(values.values()))

    def delete(self, row_id: str) -> int:
        """Deletes one of the project's own rows; returns how many went (0: none visible to delete)."""
        condition, params = self.visible(writable=True, aliased=False)
        return self.db.execute(f"DELETE FROM {self.table} WHERE id = ? AND {condition}", [row_id, *params]).rowcount


@dataclass(frozen=True)
class JobResource:
    """What distinguishes one job-backed resource from another."""

    table: str        # e.g. "datasets"
    noun: str         # how messages name one, e.g. "dataset"
    plural: str       # e.g. "datasets"
    job_kind: str     # the kind of its job, e.g. "dataset.ingest"
    payload_key: str  # the job payload's key for the resource id, e.g. "dataset_id"


class JobResourceTable:
    """Create (idempotent, within the job quota), get, page and delete one project's rows of a job-backed
    resource. max_active_jobs: the project's limit of jobs queued or running (0: none)."""

    def __init__(self, db: sqlite_utils.Database, resource: JobResource, scope: ProjectScope,
                 max_active_jobs: int = 0):
        self.db = db
        self.resource = resource
        self.scoped = ScopedTable(db, resource.table, scope)
        self.scope = scope
        self.jobs = JobQueue(db)
        self.max_active_jobs = max_active_jobs

    def create(self, request_id: str | None, request_hash: str, max_attempts: int,
               new_row: Callable[[], dict], also: Callable[[str], None] | None = None) -> tuple[str, bool]:
        """Inserts the row that `new_row()` describes (its columns, "id" included; project_id, request_id,
        request_hash and created_at are added) and its PENDING job, atomically. Returns (id, created): a
        request_id the project used before gives the row it created, or AlreadyExists when the request
        differs; ResourceExhausted when the project's job quota is full. also(id): inserts rows that are
        created with this one (its lineage, its consent), inside the same transaction."""
        noun = self.resource.noun
        with transaction(self.db):
            row = self.scoped.row(request_id, column="request_id") if request_id else None
            if row is not None:
                if row["request_hash"] != request_hash:
                    raise AlreadyExists(
                        f"request_id {request_id!r} was already used to create {noun} {row['id']} with different "
                        f"parameters; send a new request_id for a new {noun}")
                return row["id"], False
            self._check_quota()
            values = {**new_row(), "request_id": request_id or None, "request_hash": request_hash,
                      "created_at": time.time()}
            self.scoped.insert(values)
            self.jobs.enqueue(self.resource.job_kind, values["id"], {self.resource.payload_key: values["id"]},
                              max_attempts, project=self.scope.project)
            if also is not None:
                also(values["id"])
        return values["id"], True

    def _check_quota(self) -> None:
        if not self.max_active_jobs:
            return
        active = self.jobs.count_active(self.scope.project)
        if active >= self.max_active_jobs:
            raise ResourceExhausted(
                f"project {self.scope.project!r} has {active} jobs queued or running, its limit; retry when one "
                f"finishes (or cancel one) — a {self.resource.noun} is a job", retry_after_s=JOB_QUOTA_RETRY_S)

    def row(self, resource_id: str):
        return self.scoped.row(resource_id)

    def job(self, resource_id: str) -> Job | None:
        return self.jobs.for_resource(resource_id)

    def owned(self, column: str) -> tuple[str, list]:
        """A filter confining a child table (e.g. recordings.dataset_id) to this project's resources."""
        return self.scoped.owned(column)

    def page(self, size: int, after: tuple[float, str] | None,
             filters: Sequence[tuple[str, Sequence]] = ()) -> tuple[list, str]:
        """The project's rows oldest first (matching `filters`); returns (rows, next_page_token or '')."""
        return self.scoped.page(size, after, filters)

    def delete_row(self, resource_id: str) -> None:
        """Deletes the project's row and its job; runs inside the caller's transaction."""
        if self.scoped.delete(resource_id):
            self.jobs.delete_for_resource(resource_id)

    def delete(self, resource_id: str) -> None:
        with transaction(self.db):
            self.delete_row(resource_id)
