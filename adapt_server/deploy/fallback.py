"""Where a deployment's routes go when what they serve is revoked: pure functions, no I/O.

Each route whose target can no longer be used falls back to the newest earlier revision's target for that same
route that can (the other routes keep serving what they serve now); a route with no such revision is removed,
so requests for it are refused with the reason rather than served by something nobody chose. A canary whose
model or voice is unusable, or whose route was removed or now points at the canary's own target, is dropped.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from adapt_server.store.deployments import Canary, Revision


@dataclass(frozen=True)
class RouteChange:
    route: str            # "stt", "tts", or "canary"
    revoked: str          # the id that stopped serving
    fallback: str         # what serves the route now ("" : removed)
    from_revision: int    # the revision `fallback` came from (0: none)

    def describe(self) -> str:
        if self.route == "canary":
            return f"canary {self.revoked} removed"
        if not self.fallback:
            return f"{self.route} route {self.revoked} removed (no earlier revision has a usable target)"
        return f"{self.route} route {self.revoked} -> {self.fallback} (from revision {self.from_revision})"


def fall_back(routes: dict[str, str], canary: Canary | None, history: Sequence[Revision],
              usable: Callable[[str, str], bool]) -> tuple[dict[str, str], Canary | None, list[RouteChange]]:
    """(new routes, new canary, changes) for a deployment whose active routes and canary are `routes` and
    `canary`; history: its revisions (any order); usable(route, id): may `id` serve `route`?"""
    newest_first = sorted(history, key=lambda r: -r.revision)
    new_routes, changes = dict(routes), []
    for route, target in sorted(routes.items()):
        if usable(route, target):
            continue
        earlier = next(((r.revision, r.routes[route]) for r in newest_first
                        if route in r.routes and r.routes[route] != target and usable(route, r.routes[route])), None)
        if earlier is None:
            del new_routes[route]
            changes.append(RouteChange(route, target, "", 0))
        else:
            new_routes[route] = earlier[1]
            changes.append(RouteChange(route, target, earlier[1], earlier[0]))
    new_canary = canary
    if canary is not None and (not usable(canary.route, canary.model) or canary.route not in new_routes
                               or new_routes[canary.route] == canary.model):
        new_canary = None
        changes.append(RouteChange("canary", canary.model, "", 0))
    return new_routes, new_canary, changes
