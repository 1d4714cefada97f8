"""The Watch RPCs' shared loop: stream a job's event log as proto Events until the terminal event."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.store.jobs import TERMINAL_STATES

WATCH_POLL_S = 0.2  # seconds between polls of the event log while nothing new has arrived


async def job_events(runner: ServiceRunner, job_id: str, resource_id: str, after: int) -> AsyncIterator:
    """Events of `job_id` with sequence > `after`, converted for `resource_id`; ends after the terminal event,
    or when the job is gone or already finished with nothing left to send."""
    ended = False
    while True:
        events = await runner.run(lambda s: s.jobs.events(job_id, after))
        for e in events:
            yield convert.event(e, resource_id)
            after = e.seq
            if e.state in TERMINAL_STATES:
                return
        if events:
            continue
        if ended:
            return  # deleted, or the client asked for events past the end
        # The job may finish (its terminal event committed with its state) between the read above and this
        # check: when it has ended, read the log once more before closing the stream.
        ended = await runner.run(lambda s: s.jobs.ended(job_id))
        if not ended:
            await asyncio.sleep(WATCH_POLL_S)
