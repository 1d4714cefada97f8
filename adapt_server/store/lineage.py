"""Lineage edges (what each dataset, fine-tune, model and voice derives from) and revocations (schema migration
9). Edges and revocations outlive the rows they name: a model keeps its lineage after its dataset is deleted,
and a revoked id stays revoked. Both are rows of one project (store/scope.py): a model id may exist in two
projects, and one project's edges and revocations never reach the other's."""
from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from adapt_server.errors import FailedPrecondition
from adapt_server.store.scope import ProjectScope

# relations (parent -> child)
PROVENANCE = "provenance"    # consent -> dataset: the dataset's declared recording consent
CONSENT = "consent"          # consent -> voice: the talent's signed consent
TRAINED_ON = "trained_on"    # dataset -> fine-tune
MIXIN = "mixin"              # dataset -> fine-tune (general speech mixed in)
BASE_MODEL = "base_model"    # model -> fine-tune
PRODUCED = "produced"        # fine-tune -> model
BUILT_FROM = "built_from"    # dataset -> voice


@dataclass(frozen=True)
class Edge:
    child_id: str
    child_kind: str     # "dataset" | "fine_tune" | "model" | "voice"
    parent_id: str
    parent_kind: str    # "consent" | "dataset" | "fine_tune" | "model"
    relation: str       # one of the relations above
    created_at: float   # unix seconds


@dataclass(frozen=True)
class Revocation:
    resource_id: str
    resource_kind: str  # "voice" | "model" | "dataset" | "fine_tune"
    consent_id: str     # the consent whose revocation reached it
    reason: str
    revoked_at: float   # unix seconds

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.revoked_at))
        return f"consent {self.consent_id} was revoked on {when}" + (f" ({self.reason})" if self.reason else "")


class LineageRepository:
    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope):
        self.db = db
        self.project = scope.project

    # --- edges --------------------------------------------------------------------------------------
    def add_edge(self, child_id: str, child_kind: str, parent_id: str, parent_kind: str, relation: str) -> None:
        """Records that child derives from parent (idempotent; runs in the caller's transaction, if any)."""
        self.db.execute("INSERT OR IGNORE INTO lineage_edges (child_id, child_kind, parent_id, parent_kind, relation, "
                        "created_at, project_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [child_id, child_kind, parent_id, parent_kind, relation, time.time(), self.project])

    def parents(self, child_id: str) -> list[Edge]:
        rows = self.db.execute("SELECT * FROM lineage_edges WHERE child_id = ? AND project_id = ? ORDER BY "
                               "created_at, parent_id", [child_id, self.project]).fetchall()
        return [_edge(r) for r in rows]

    def children(self, parent_id: str) -> list[Edge]:
        rows = self.db.execute("SELECT * FROM lineage_edges WHERE parent_id = ? AND project_id = ? ORDER BY "
                               "created_at, child_id", [parent_id, self.project]).fetchall()
        return [_edge(r) for r in rows]

    def kind_of(self, resource_id: str) -> str | None:
        """The kind an edge gives `resource_id`, or None when no edge names it."""
        row = self.db.execute("SELECT child_kind FROM lineage_edges WHERE child_id = ? AND project_id = ? UNION ALL "
                              "SELECT parent_kind FROM lineage_edges WHERE parent_id = ? AND project_id = ? LIMIT 1",
                              [resource_id, self.project, resource_id, self.project]).fetchone()
        return row[0] if row else None

    # --- revocations --------------------------------------------------------------------------------
    def revoke(self, resource_id: str, resource_kind: str, consent_id: str, reason: str, revoked_at: float) -> bool:
        """Marks `resource_id` revoked (the first revocation stands); returns whether it is new."""
        return self.db.execute(
            "INSERT OR IGNORE INTO revocations (resource_id, resource_kind, consent_id, reason, revoked_at, project_id) "
            "VALUES (?, ?, ?, ?, ?, ?)", [resource_id, resource_kind, consent_id, reason, revoked_at,
                                          self.project]).rowcount > 0

    def revocation(self, resource_id: str) -> Revocation | None:
        row = self.db.execute("SELECT * FROM revocations WHERE resource_id = ? AND project_id = ?",
                              [resource_id, self.project]).fetchone()
        return _revocation(row) if row else None

    def revoked(self, resource_ids: Iterable[str]) -> dict[str, Revocation]:
        """The revoked ones among `resource_ids`, by id."""
        ids = sorted(set(resource_ids))
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT * FROM revocations WHERE project_id = ? AND resource_id IN "
                               f"({', '.join('?' for _ in ids)})", [self.project, *ids]).fetchall()
        return {r["resource_id"]: _revocation(r) for r in rows}

    def revoked_by(self, consent_id: str) -> list[Revocation]:
        rows = self.db.execute("SELECT * FROM revocations WHERE consent_id = ? AND project_id = ? ORDER BY "
                               "resource_kind, resource_id", [consent_id, self.project]).fetchall()
        return [_revocation(r) for r in rows]

    def require_not_revoked(self, resource_id: str, what: str) -> None:
        """FailedPrecondition naming the revocation when `resource_id` is revoked. what: e.g. "voice", "model"."""
        revocation = self.revocation(resource_id)
        if revocation is not None:
            raise FailedPrecondition(f"{what} {resource_id} is revoked: {revocation.describe()}; it can no longer "
                                     "be used (GetLineage shows what else the revocation reached)")


def _edge(row) -> Edge:
    return Edge(row["child_id"], row["child_kind"], row["parent_id"], row["parent_kind"], row["relation"],
                row["created_at"])


def _revocation(row) -> Revocation:
    return Revocation(row["resource_id"], row["resource_kind"], row["consent_id"], row["reason"], row["revoked_at"])
