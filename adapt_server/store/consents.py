"""Consents (schema migration 9): the signed consent records of custom voices and the provenance records of
datasets, kept after what they cover is deleted; and the audit of voice creations a consent check refused.
Rows of one project (store/scope.py)."""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

import sqlite_utils

from adapt_server.store.scope import ProjectScope

VOICE_CONSENT = "voice"          # a talent's statement, verified and signed (voices/consent_record.py)
DATASET_PROVENANCE = "dataset"   # a dataset's declared recording consent (canonical JSON)


def new_consent_id() -> str:
    return "consent_" + secrets.token_hex(6)


@dataclass(frozen=True)
class ConsentRow:
    id: str
    kind: str                    # VOICE_CONSENT | DATASET_PROVENANCE
    subject_id: str              # the voice or dataset it covers
    record: bytes                # voice: the signed envelope; dataset: canonical JSON of the provenance
    sha256: str                  # of record
    revoked_at: float | None     # unix seconds; None while in force
    revoked_reason: str
    created_at: float

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class ConsentRefusal:
    id: str
    dataset_id: str
    speaker: str
    statement_sha256: str
    failed_check: str            # "statement" | "speaker"
    score: float | None
    checks: dict                 # every score computed, the transcript, the reason
    created_at: float


class ConsentRepository:
    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope):
        self.db = db
        self.project = scope.project

    def insert(self, consent_id: str, kind: str, subject_id: str, record: bytes) -> None:
        """Stores a consent (runs in the caller's transaction, if any)."""
        self.db.execute("INSERT INTO consents (id, kind, subject_id, record, sha256, created_at, project_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", [consent_id, kind, subject_id, record,
                                                         hashlib.sha256(record).hexdigest(), time.time(), self.project])

    def get(self, consent_id: str) -> ConsentRow | None:
        row = self.db.execute("SELECT * FROM consents WHERE id = ? AND project_id = ?",
                              [consent_id, self.project]).fetchone()
        return self._row(row) if row else None

    def for_subject(self, subject_id: str, kind: str) -> ConsentRow | None:
        """The newest consent of `kind` covering `subject_id`."""
        row = self.db.execute("SELECT * FROM consents WHERE subject_id = ? AND kind = ? AND project_id = ? ORDER BY "
                              "created_at DESC LIMIT 1", [subject_id, kind, self.project]).fetchone()
        return self._row(row) if row else None

    def mark_revoked(self, consent_id: str, reason: str, revoked_at: float) -> bool:
        """Revokes it (runs in the caller's transaction); False when it was already revoked."""
        return self.db.execute("UPDATE consents SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND "
                               "project_id = ? AND revoked_at IS NULL",
                               [revoked_at, reason, consent_id, self.project]).rowcount > 0

    def add_refusal(self, dataset_id: str, speaker: str, statement_sha256: str, failed_check: str,
                    score: float | None, checks: dict) -> str:
        refusal_id = "refusal_" + secrets.token_hex(6)
        self.db.execute("INSERT INTO consent_refusals (id, dataset_id, speaker, statement_sha256, failed_check, score, "
                        "checks, created_at, project_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [refusal_id, dataset_id, speaker, statement_sha256, failed_check, score,
                         json.dumps(checks, sort_keys=True), time.time(), self.project])
        return refusal_id

    def refusals(self, dataset_id: str) -> list[ConsentRefusal]:
        rows = self.db.execute("SELECT * FROM consent_refusals WHERE dataset_id = ? AND project_id = ? ORDER BY "
                               "created_at", [dataset_id, self.project]).fetchall()
        return [ConsentRefusal(id=r["id"], dataset_id=r["dataset_id"], speaker=r["speaker"],
                               statement_sha256=r["statement_sha256"], failed_check=r["failed_check"],
                               score=r["score"], checks=json.loads(r["checks"]), created_at=r["created_at"])
                for r in rows]

    @staticmethod
    def _row(row) -> ConsentRow:
        return ConsentRow(id=row["id"], kind=row["kind"], subject_id=row["subject_id"], record=bytes(row["record"]),
                          sha256=row["sha256"], revoked_at=row["revoked_at"], revoked_reason=row["revoked_reason"],
                          created_at=row["created_at"])
