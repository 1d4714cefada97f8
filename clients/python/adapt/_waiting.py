"""Waiting for a long-running resource (dataset, evaluation, fine-tune) to finish, shared by the resource APIs."""
from __future__ import annotations

import time
from typing import Callable, Iterator

from adapt.errors import DeadlineExceededError, JobCancelledError, JobFailedError, UnavailableError, WaitTimeoutError
from adapt.resources import Event, State

RECONNECT_DELAY_S = 0.5  # seconds between reconnects while the server is unavailable (e.g. restarting)


def wait_until_finished(kind: str, resource_id: str, watch: Callable[..., Iterator[Event]],
                        get: Callable[[str], object], timeout: float | None = None):
    """Follows `watch(resource_id, after_sequence, timeout=...)` until a terminal event, then returns
    `get(resource_id)`. Survives a server restart: it reconnects and resumes the event stream after the last
    sequence seen. `kind` names the resource in messages ("dataset", "evaluation", "fine-tune").

    Raises JobFailedError / JobCancelledError when the resource did not succeed, WaitTimeoutError when
    `timeout` seconds pass first (None: no limit).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    too_late = f"{kind} {resource_id} did not finish within {timeout} s"
    after = 0
    while True:
        remaining = None if deadline is None else max(0.01, deadline - time.monotonic())
        try:
            for event in watch(resource_id, after, timeout=remaining):
                after = event.sequence
                if event.state.terminal:
                    break
        except DeadlineExceededError:
            raise WaitTimeoutError(too_late) from None
        except UnavailableError:
            if deadline is not None and time.monotonic() >= deadline:
                raise WaitTimeoutError(too_late) from None
            time.sleep(RECONNECT_DELAY_S)
            continue
        resource = get(resource_id)
        if resource.state.terminal:
            break
        if deadline is not None and time.monotonic() >= deadline:
            raise WaitTimeoutError(too_late)
    if resource.state == State.FAILED:
        raise JobFailedError(resource, resource.error.code if resource.error else "UNKNOWN",
                             resource.error.message if resource.error else "no reason given")
    if resource.state == State.CANCELLED:
        raise JobCancelledError(resource)
    return resource
