"""Deployments and their revisions in SQLite (tables of schema migration 4): a canary split, one revision of a
deployment's routes, the deployment (value objects), and the repository."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.db import transaction
from adapt_server.store.resources import ScopedTable
from adapt_server.store.scope import ProjectScope

CREATE, UPDATE, ROLLBACK = "create", "update", "rollback"  # what made a revision


@dataclass(frozen=True)
class Canary:
    """Sends `percent` of a route's requests to `model` instead of the route's own model."""
    route: str          # e.g. "stt"
    model: str          # model id receiving the canary share
    percent: float      # 0 < percent < 100, share of requests in percent

    def to_dict(self) -> dict:
        return {"route": self.route, "model": self.model, "percent": self.percent}

    @classmethod
    def from_dict(cls, data: dict | None) -> "Canary | None":
        return cls(data["route"], data["model"], float(data["percent"])) if data else None


@dataclass(frozen=True)
class Revision:
    """One state of a deployment's routes, kept forever as its history."""
    deployment_id: str
    revision: int               # 1, 2, 3 ... per deployment
    parent: int | None          # the revision a rollback from this one returns to (None: the first)
    action: str                 # "create" | "update" | "rollback"
    routes: dict[str, str]      # route name -> model id
    canary: Canary | None
    forced: bool                # promoted past failed validation gates with force=True
    note: str                   # e.g. "rolled back to revision 2", or the failed gates that were forced
    created_at: float           # unix seconds


@dataclass(frozen=True)
class Deployment:
    id: str
    revision: int               # the active revision's number
    routes: dict[str, str]
    canary: Canary | None
    description: str
    labels: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0


_ACTIVE = ("SELECT d.*, r.routes, r.canary FROM deployments d JOIN deployment_revisions r "
           "ON r.project_id = d.project_id AND r.deployment_id = d.id AND r.revision = d.revision")


class DeploymentRepository:
    """One project's deployments: ids are unique per project (two projects may both have "prod-voice")."""

    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope):
        self.db = db
        self.scope = scope
        self.table = ScopedTable(db, "deployments", scope, alias="d")
        self.revisions_table = ScopedTable(db, "deployment_revisions", scope)

    def get(self, deployment_id: str) -> Deployment | None:
        visible, params = self.table.visible()
        row = self.db.execute(f"{_ACTIVE} WHERE d.id = ? AND {visible}", [deployment_id, *params]).fetchone()
        return self._deployment(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[Deployment], str]:
        """Deployments oldest first; returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after, select=_ACTIVE, keys=("d.created_at", "d.id"))
        return [self._deployment(r) for r in rows], token

    def revisions(self, deployment_id: str) -> list[Revision]:
        """Every revision, oldest first."""
        visible, params = self.revisions_table.visible()
        rows = self.db.execute(f"SELECT * FROM deployment_revisions WHERE deployment_id = ? AND {visible} "
                               "ORDER BY revision", [deployment_id, *params]).fetchall()
        return [self._revision(r) for r in rows]

    def revision(self, deployment_id: str, number: int) -> Revision | None:
        visible, params = self.revisions_table.visible()
        row = self.db.execute(f"SELECT * FROM deployment_revisions WHERE deployment_id = ? AND revision = ? AND "
                              f"{visible}", [deployment_id, number, *params]).fetchone()
        return self._revision(row) if row else None

    def write(self, deployment_id: str, expected_revision: int, action: str, routes: dict[str, str],
              canary: Canary | None, parent: int | None, forced: bool, note: str,
              description: str | None = None, labels: dict[str, str] | None = None) -> bool:
        """Appends a revision and makes it active, atomically.

        expected_revision: the active revision the caller decided from (0: the deployment must not exist).
        Returns False when another writer got there first (the caller re-reads and decides again).
        """
        now = time.time()
        project = self.scope.project
        with transaction(self.db):
            row = self.db.execute("SELECT revision FROM deployments WHERE id = ? AND project_id = ?",
                                  [deployment_id, project]).fetchone()
            current = row["revision"] if row else 0
            if current != expected_revision:
                return False
            number = current + 1
            if row is None:
                self.table.insert({"id": deployment_id, "revision": number, "description": description or "",
                                   "labels": json.dumps(labels or {}), "created_at": now, "updated_at": now})
            else:
                where = "WHERE id = ? AND project_id = ?"
                self.db.execute(f"UPDATE deployments SET revision = ?, updated_at = ? {where}",
                                [number, now, deployment_id, project])
                if description is not None:
                    self.db.execute(f"UPDATE deployments SET description = ? {where}",
                                    [description, deployment_id, project])
                if labels:
                    self.db.execute(f"UPDATE deployments SET labels = ? {where}",
                                    [json.dumps(labels), deployment_id, project])
            self.revisions_table.insert({
                "deployment_id": deployment_id, "revision": number, "parent": parent, "action": action,
                "routes": json.dumps(routes, sort_keys=True), "canary": json.dumps(canary.to_dict() if canary else {}),
                "forced": int(forced), "note": note, "created_at": now})
        return True

    def using_model(self, model_id: str) -> list[str]:
        """Ids of the project's deployments whose active routes or canary name `model_id`."""
        visible, params = self.table.visible()
        rows = self.db.execute(f"{_ACTIVE} WHERE {visible} ORDER BY d.id", params).fetchall()
        return [r["id"] for r in rows
                if model_id in json.loads(r["routes"]).values() or json.loads(r["canary"]).get("model") == model_id]

    def delete(self, deployment_id: str) -> bool:
        return self.table.delete(deployment_id) > 0

    @staticmethod
    def _deployment(row) -> Deployment:
        return Deployment(id=row["id"], revision=row["revision"], routes=json.loads(row["routes"]),
                          canary=Canary.from_dict(json.loads(row["canary"])), description=row["description"],
                          labels=json.loads(row["labels"]), created_at=row["created_at"],
                          updated_at=row["updated_at"])

    @staticmethod
    def _revision(row) -> Revision:
        return Revision(deployment_id=row["deployment_id"], revision=row["revision"], parent=row["parent"],
                        action=row["action"], routes=json.loads(row["routes"]),
                        canary=Canary.from_dict(json.loads(row["canary"])), forced=bool(row["forced"]),
                        note=row["note"], created_at=row["created_at"])
