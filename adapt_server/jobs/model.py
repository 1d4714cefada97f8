"""Job value objects: lifecycle states, progress, and a job row."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

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
