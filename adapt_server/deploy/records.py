"""Deployment value objects: a canary split, one revision of a deployment's routes, the deployment."""
from __future__ import annotations

from dataclasses import dataclass, field

ROUTES = ("stt",)  # route names a deployment may hold; "stt": speech-to-text (Transcribe, StreamingTranscribe)
CREATE, UPDATE, ROLLBACK = "create", "update", "rollback"


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
