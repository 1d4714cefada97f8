"""Which model serves one request of a deployment route: pure functions, no I/O.

A canary takes `percent` of the route's requests. With a routing key (e.g. a caller or session id) the
choice is deterministic: the key is hashed with the deployment id into a bucket in [0, 10000), and the
request goes to the canary when bucket < percent * 100. A key keeps its side while the percentage stays
the same, and raising the percentage only moves more keys to the canary (never back). Without a key each
request draws its own random bucket.
"""
from __future__ import annotations

import hashlib
import random

from adapt_server.store.deployments import Canary

BUCKETS = 10_000  # resolution of the canary split: 0.01 %


def bucket(deployment_id: str, routing_key: str) -> int:
    """A stable bucket in [0, BUCKETS) for (deployment, key): the first 8 bytes of SHA-256."""
    digest = hashlib.sha256(f"{deployment_id}\0{routing_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def choose_model(deployment_id: str, route: str, routes: dict[str, str], canary: Canary | None,
                 routing_key: str = "", rng: random.Random | None = None) -> str | None:
    """The model id serving `route` for this request, or None when the deployment has no such route."""
    model = routes.get(route)
    if model is None or canary is None or canary.route != route:
        return model
    draw = bucket(deployment_id, routing_key) if routing_key else (rng or random).randrange(BUCKETS)
    return canary.model if draw < canary.percent * BUCKETS / 100 else model
