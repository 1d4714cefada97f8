"""Pipeline steps a dataset asks for, validated when the dataset is created, and run per recording.

Each step is {"step": NAME, "params": {...}} (the SDK also takes the params inline: {"step": "align",
"model": "whisper-tiny.en"}). Validation happens before any work starts: an unknown step or parameter, a
bad value, or an impossible order is INVALID_ARGUMENT saying what is valid; a missing model NOT_FOUND; a
missing pyannote checkpoint FAILED_PRECONDITION. The stored spec keeps every parameter with its default
filled in, so a dataset records exactly what ran.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from adapt_server.errors import InvalidArgument, echo
from adapt_server.intake.steps import ORDER, REQUIRES, STEPS
from adapt_server.intake.steps.base import RecordingWork, ValidationEnv

VALID_ORDER = " -> ".join(ORDER)


@dataclass(frozen=True)
class PlannedStep:
    name: str
    config: object  # the step's frozen config dataclass


def validate_pipeline(steps: list[dict], env: ValidationEnv | None = None) -> list[dict]:
    """Returns the normalized steps ({"step": name, "params": {...all params...}}) or raises."""
    return [{"step": p.name, "params": _jsonable(asdict(p.config))} for p in plan(steps, env or ValidationEnv())]


def plan(steps: list[dict], env: ValidationEnv | None = None) -> list[PlannedStep]:
    """Parses and orders-checks the steps; the job calls it on the stored spec (env without models)."""
    env = env or ValidationEnv()
    planned: list[PlannedStep] = []
    for i, step in enumerate(steps):
        where = f"pipeline[{i}]"
        if not isinstance(step, dict):
            raise InvalidArgument(f"{where} must be an object like {{'step': 'align'}}")
        name = step.get("step")
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"{where}.step is required (a step name: one of {list(ORDER)})")
        if name not in STEPS:
            raise InvalidArgument(f"{where}: unknown step {echo(name)}; this server knows: {', '.join(ORDER)}")
        params = step.get("params") or {}
        if set(params) == {"params"} and isinstance(params["params"], dict):
            params = params["params"]  # {"step": ..., "params": {...}} sent through the SDK's inline form
        if not isinstance(params, dict):
            raise InvalidArgument(f"{where}.params must be an object")
        planned.append(PlannedStep(name, STEPS[name].parse(f"{where} ({name})", params, env)))
    _check_order([p.name for p in planned])
    return planned


def _check_order(names: list[str]) -> None:
    for name in set(names):
        if names.count(name) > 1:
            raise InvalidArgument(f"pipeline: step {echo(name)} appears {names.count(name)} times; each step runs at "
                                  f"most once, in the order {VALID_ORDER}")
    for name, needed in REQUIRES.items():
        if name in names and needed not in names[:names.index(name)]:
            raise InvalidArgument(f"pipeline: {echo(name)} needs the word times of {echo(needed)}, which must come "
                                  f"before it; valid order: {VALID_ORDER}")
    positions = [ORDER.index(n) for n in names]
    for (a, pa), (b, pb) in zip(zip(names, positions), zip(names[1:], positions[1:])):
        if pb < pa:
            raise InvalidArgument(f"pipeline: {echo(b)} cannot run after {echo(a)}; valid order: {VALID_ORDER} "
                                  "(split last; any step may be left out)")


def run_recording_steps(planned: list[PlannedStep], work: RecordingWork, resources, on_step=None) -> RecordingWork:
    """Runs the per-recording steps in order (split is dataset-wide and skipped here)."""
    for step in planned:
        if step.name == "split":
            continue
        if on_step is not None:
            on_step(step.name)
        work = STEPS[step.name].run(step.config, work, resources)
    return work


def _jsonable(value):
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    return value
