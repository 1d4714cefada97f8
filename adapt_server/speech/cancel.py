"""Cancellation of speech work: a token the API layer fires when the client goes away, the request's deadline
passes or the server stops, and that the engines check between windows and batches (engines/inputs.py `Cancel`).

A `CancelToken` is set from the event loop and read from decoding threads (thread-safe). It is also a
callable (`token()` -> fired?), so it is handed to an engine as `cancel=token`. A token with a parent (the
server's shutdown token) fires when its parent does.
"""
from __future__ import annotations

import threading
import time

from adapt_server.errors import AdaptError, Cancelled, DeadlineExceeded, Unavailable

CANCELLED, DEADLINE, SHUTDOWN = "cancelled", "deadline", "shutdown"


class CancelToken:
    """deadline_s: seconds from now after which the token counts as fired (None: no deadline)."""

    def __init__(self, deadline_s: float | None = None, parent: "CancelToken | None" = None):
        self._event = threading.Event()
        self._reason: str | None = None
        self._deadline = time.monotonic() + deadline_s if deadline_s is not None else None
        self._parent = parent

    def cancel(self, reason: str = CANCELLED) -> None:
        """Fires the token (idempotent: the first reason is kept)."""
        if self._reason is None:
            self._reason = reason
        self._event.set()

    def __call__(self) -> bool:
        """True once the token fired: cancelled, past its deadline, or its parent fired."""
        if self._event.is_set():
            return True
        if self._deadline is not None and time.monotonic() >= self._deadline:
            self.cancel(DEADLINE)
            return True
        if self._parent is not None and self._parent():
            self.cancel(self._parent.reason or SHUTDOWN)
            return True
        return False

    @property
    def reason(self) -> str | None:
        """Why it fired: CANCELLED, DEADLINE or SHUTDOWN; None while it has not."""
        return self._reason

    def error(self) -> AdaptError:
        """The status error for work this token stopped."""
        if self._reason == DEADLINE:
            return DeadlineExceeded("the request's deadline passed before its transcription finished; the work was "
                                    "stopped (send a longer deadline, or shorter audio)")
        if self._reason == SHUTDOWN:
            return Unavailable("the server is shutting down; the work was stopped: retry on another server or "
                               "after it restarts")
        return Cancelled("the request was cancelled; its work was stopped")
