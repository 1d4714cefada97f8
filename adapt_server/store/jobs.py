"""The durable job queue in SQLite: job value objects (states, progress, a job row, its events) and the queue:
enqueue, claim with a lease, progress, events, finish, cancel, recover.

Every write by a worker names the lease token it got when it claimed the job; once a job is recovered and
claimed again, writes from the old run are refused (they return False), so a stale worker can never
overwrite a newer run. Finished jobs (SUCCEEDED, FAILED, CANCELLED) are never modified again.
"""
from __future__ import annotations

import json
import secrets
import time
from dataclasses import asdict, dataclass, field

import sqlite_utils

from adapt_server.store.db import transaction
from adapt_server.store.scope import DEFAULT_PROJECT

PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED = "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"
TERMINAL_STATES = frozenset({SUCCEEDED, FAILED, CANCELLED})


@dataclass(frozen=True)
class Progress:
    fraction: float = 0.0      # 0..1 of the whole job
    stage: str = ""            # what runs now, e.g. "decode"
    done: int = 0              # units done in this stage
    total: int = 0             # units in this stage, 0 when unknown
    unit: str = ""             # what done/total count
    eta_seconds: float = -1.0  # seconds left, negative when unknown
    message: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str | None) -> "Progress":
        return cls(**json.loads(text)) if text and text != "{}" else cls()


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    resource_id: str
    state: str
    payload: dict = field(default_factory=dict)
    attempts: int = 0
    max_attempts: int = 3
    lease_token: str | None = None
    worker: str | None = None
    cancel_requested: bool = False
    progress: Progress = Progress()
    error_code: str | None = None
    error_message: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    project_id: str = DEFAULT_PROJECT  # the project of its resource (quotas count per project)

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @classmethod
    def from_row(cls, row) -> "Job":
        data = dict(row)
        data["payload"] = json.loads(data["payload"])
        data["progress"] = Progress.from_json(data["progress"])
        data["cancel_requested"] = bool(data["cancel_requested"])
        return cls(**data)


@dataclass(frozen=True)
class JobEvent:
    job_id: str
    seq: int
    time: float          # unix seconds
    state: str
    level: str           # info, warning, error
    message: str
    progress: Progress
    details: dict

    @classmethod
    def from_row(cls, row) -> "JobEvent":
        data = dict(row)
        data["progress"] = Progress.from_json(data["progress"])
        data["details"] = json.loads(data["details"])
        return cls(**data)



def new_job_id() -> str:
    return "job_" + secrets.token_hex(8)


class JobQueue:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    # --- creation and reads -------------------------------------------------------------------------
    def enqueue(self, kind: str, resource_id: str, payload: dict, max_attempts: int = 3,
                project: str = DEFAULT_PROJECT) -> str:
        """Inserts a PENDING job of `project`; call inside the transaction that creates its resource."""
        job_id, now = new_job_id(), time.time()
        self.db.execute(
            "INSERT INTO jobs (id, kind, resource_id, state, payload, max_attempts, created_at, updated_at, "
            "project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [job_id, kind, resource_id, PENDING, json.dumps(payload), max_attempts, now, now, project])
        self._event(job_id, PENDING, "info", "queued", Progress())
        return job_id

    def get(self, job_id: str) -> Job | None:
        row = self.db.execute("SELECT * FROM jobs WHERE id = ?", [job_id]).fetchone()
        return Job.from_row(row) if row else None

    def for_resource(self, resource_id: str) -> Job | None:
        row = self.db.execute("SELECT * FROM jobs WHERE resource_id = ?", [resource_id]).fetchone()
        return Job.from_row(row) if row else None

    def count_by_state(self, states: tuple[str, ...], project: str | None = None) -> dict[str, int]:
        """state -> number of jobs in it, for the given states (absent: none); of one project when given."""
        query = f"SELECT state, COUNT(*) FROM jobs WHERE state IN ({', '.join('?' for _ in states)})"
        params = list(states)
        if project is not None:
            query, params = query + " AND project_id = ?", params + [project]
        rows = self.db.execute(query + " GROUP BY state", params).fetchall()
        return {row[0]: row[1] for row in rows}

    def count_active(self, project: str) -> int:
        """Jobs of `project` queued or running (what the per-project job quota counts)."""
        return self.db.execute("SELECT COUNT(*) FROM jobs WHERE project_id = ? AND state IN (?, ?)",
                               [project, PENDING, RUNNING]).fetchone()[0]
    def depth(self) -> dict[tuple[str, str], int]:
        """(kind, state) -> jobs, for the PENDING and RUNNING ones (the queue's depth, for /metrics)."""
        rows = self.db.execute("SELECT kind, state, COUNT(*) FROM jobs WHERE state IN (?, ?) GROUP BY kind, state",
                               [PENDING, RUNNING]).fetchall()
        return {(row[0], row[1]): row[2] for row in rows}

    def events(self, job_id: str, after_seq: int = 0, limit: int = 500) -> list[JobEvent]:
        rows = self.db.execute("SELECT * FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                               [job_id, after_seq, limit]).fetchall()
        return [JobEvent.from_row(r) for r in rows]

    # --- the worker side ----------------------------------------------------------------------------
    def claim(self, worker: str, kinds: frozenset[str] | None = None) -> Job | None:
        """Atomically takes the oldest PENDING job (of `kinds` when given) and marks it RUNNING."""
        with transaction(self.db):
            rows = self.db.execute("SELECT id, kind FROM jobs WHERE state = ? ORDER BY created_at, id",
                                   [PENDING]).fetchall()
            row = next((r for r in rows if kinds is None or r["kind"] in kinds), None)
            if row is None:
                return None
            token, now = secrets.token_hex(8), time.time()
            self.db.execute(
                "UPDATE jobs SET state = ?, lease_token = ?, worker = ?, attempts = attempts + 1, "
                "started_at = COALESCE(started_at, ?), updated_at = ? WHERE id = ?",
                [RUNNING, token, worker, now, now, row["id"]])
            job = self.get(row["id"])
            self._event(job.id, RUNNING, "info", f"started on {worker} (attempt {job.attempts} of "
                        f"{job.max_attempts})", job.progress)
        return job

    def report(self, job: Job, progress: Progress, message: str | None = None) -> bool:
        """Stores progress (and an event when `message` is given). False when the lease was lost."""
        with transaction(self.db):
            updated = self.db.execute(
                "UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND lease_token = ? AND state = ?",
                [progress.to_json(), time.time(), job.id, job.lease_token, RUNNING]).rowcount
            if updated and message is not None:
                self._event(job.id, RUNNING, "info", message, progress)
        return bool(updated)

    def log(self, job: Job, level: str, message: str, details: dict | None = None) -> bool:
        with transaction(self.db):
            current = self.db.execute("SELECT progress FROM jobs WHERE id = ? AND lease_token = ? AND state = ?",
                                      [job.id, job.lease_token, RUNNING]).fetchone()
            if current is None:
                return False
            self._event(job.id, RUNNING, level, message, Progress.from_json(current["progress"]), details)
        return True

    def cancel_requested(self, job: Job) -> bool:
        row = self.db.execute("SELECT cancel_requested, lease_token FROM jobs WHERE id = ?", [job.id]).fetchone()
        return bool(row["cancel_requested"]) or row["lease_token"] != job.lease_token

    def finish(self, job: Job, state: str, error_code: str | None = None, error_message: str | None = None,
               message: str | None = None) -> bool:
        """Moves a RUNNING job to a terminal state; False when the lease was lost meanwhile."""
        assert state in TERMINAL_STATES
        with transaction(self.db):
            row = self.db.execute("SELECT progress FROM jobs WHERE id = ? AND lease_token = ? AND state = ?",
                                  [job.id, job.lease_token, RUNNING]).fetchone()
            if row is None:
                return False
            progress = Progress.from_json(row["progress"])
            if state == SUCCEEDED:
                progress = Progress(fraction=1.0, stage="done", done=progress.total, total=progress.total,
                                    unit=progress.unit, eta_seconds=0.0)
            now = time.time()
            self.db.execute(
                "UPDATE jobs SET state = ?, error_code = ?, error_message = ?, progress = ?, updated_at = ?, "
                "finished_at = ? WHERE id = ?",
                [state, error_code, error_message, progress.to_json(), now, now, job.id])
            level = "error" if state == FAILED else "info"
            text = message or (error_message if state == FAILED else state.lower())
            self._event(job.id, state, level, text, progress,
                        {"code": error_code} if error_code else None)
        return True

    # --- the API side -------------------------------------------------------------------------------
    def request_cancel(self, job_id: str) -> Job:
        """PENDING: cancelled at once. RUNNING: flagged; the worker stops at its next check. Else no-op."""
        with transaction(self.db):
            job = self.get(job_id)
            if job.state == PENDING:
                now = time.time()
                self.db.execute("UPDATE jobs SET state = ?, cancel_requested = 1, updated_at = ?, "
                                "finished_at = ? WHERE id = ?", [CANCELLED, now, now, job_id])
                self._event(job_id, CANCELLED, "info", "cancelled before it started", job.progress)
            elif job.state == RUNNING and not job.cancel_requested:
                self.db.execute("UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                                [time.time(), job_id])
                self._event(job_id, RUNNING, "info", "cancel requested", job.progress)
        return self.get(job_id)

    def recover(self, reason: str, worker: str | None = None) -> list[Job]:
        """Jobs left RUNNING by a dead server (or by `worker` when given) resume or end FAILED.

        A job that has used all its attempts ends FAILED with `reason`; the others go back to PENDING and
        resume (handlers skip work already committed). A cancel requested before the crash is honoured.
        Returns the jobs as they are afterwards.
        """
        touched = []
        with transaction(self.db):
            query, params = "SELECT * FROM jobs WHERE state = ?", [RUNNING]
            if worker is not None:
                query, params = query + " AND worker = ?", params + [worker]
            for job in [Job.from_row(r) for r in self.db.execute(query, params).fetchall()]:
                now = time.time()
                if job.cancel_requested:
                    new_state, code, text = CANCELLED, None, f"{reason}; it was being cancelled"
                elif job.attempts >= job.max_attempts:
                    new_state, code = FAILED, "ABORTED"
                    text = f"{reason}; gave up after {job.attempts} interrupted attempts"
                else:
                    new_state, code, text = PENDING, None, f"{reason}; will resume"
                self.db.execute(
                    "UPDATE jobs SET state = ?, lease_token = NULL, worker = NULL, error_code = ?, "
                    "error_message = ?, updated_at = ?, finished_at = ? WHERE id = ?",
                    [new_state, code, text if code else None, now,
                     now if new_state in TERMINAL_STATES else None, job.id])
                self._event(job.id, new_state, "error" if new_state == FAILED else "warning", text, job.progress)
                touched.append(self.get(job.id))
        return touched

    def delete_for_resource(self, resource_id: str) -> None:
        self.db.execute("DELETE FROM jobs WHERE resource_id = ?", [resource_id])

    # --- internals ----------------------------------------------------------------------------------
    def _event(self, job_id: str, state: str, level: str, message: str, progress: Progress,
               details: dict | None = None) -> None:
        self.db.execute(
            "INSERT INTO job_events (job_id, seq, time, state, level, message, progress, details) "
            "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM job_events WHERE job_id = ?",
            [job_id, time.time(), state, level, message, progress.to_json(), json.dumps(details or {}), job_id])
