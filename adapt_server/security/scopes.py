"""Scopes: what a key (or a mapped client certificate) may do, per resource and verb.

`<resource>:<verb>` with verbs read < write < admin (admin implies write implies read), for the resources of
RESOURCES; plus `speech:transcribe` and `speech:synthesize`; `admin` (every scope of the project, ADMIN); and
`server:admin` (SERVER_ADMIN: other projects' keys, the whole audit log, certificate mappings). What each RPC
needs is in security/methods.py.
"""
from __future__ import annotations

from collections.abc import Iterable

from adapt_server.errors import InvalidArgument

RESOURCES = ("datasets", "evaluations", "fine_tunes", "models", "deployments", "voices", "keys", "audit", "server")
VERBS = ("read", "write", "admin")  # each implies those before it
SPEECH_SCOPES = ("speech:transcribe", "speech:synthesize")
ADMIN = "admin"                  # every scope within the key's project
SERVER_ADMIN = "server:admin"    # across projects; only a server admin may grant it
KNOWN_SCOPES = frozenset({f"{r}:{v}" for r in RESOURCES for v in VERBS} | set(SPEECH_SCOPES) | {ADMIN})


def check_scopes(scopes: Iterable[str], field: str = "scopes") -> tuple[str, ...]:
    """The scopes, sorted and distinct; InvalidArgument naming an unknown one (and the known ones)."""
    scopes = tuple(scopes)
    if not scopes:
        raise InvalidArgument(f"{field} is empty: grant at least one scope, e.g. 'datasets:read'")
    for scope in scopes:
        if scope not in KNOWN_SCOPES:
            shown = scope if len(scope) <= 60 else scope[:60] + "..."
            raise InvalidArgument(f"{field}: unknown scope {shown!r}; scopes are RESOURCE:VERB with RESOURCE one of "
                                  f"{', '.join(RESOURCES)} and VERB one of read, write, admin; or "
                                  f"{', '.join(SPEECH_SCOPES)}, {ADMIN!r}, {SERVER_ADMIN!r}")
    return tuple(sorted(set(scopes)))


def grants(held: Iterable[str], required: str) -> bool:
    """Whether holding `held` grants `required` (admin implies write implies read; "admin" implies every
    scope of the project; "server:admin" implies everything)."""
    held = set(held)
    if required in held or SERVER_ADMIN in held:
        return True
    if required == SERVER_ADMIN:
        return False
    if ADMIN in held:
        return True
    resource, _, verb = required.partition(":")
    if verb in VERBS:
        return any(f"{resource}:{stronger}" in held for stronger in VERBS[VERBS.index(verb):])
    return False


def first_missing(held: Iterable[str], wanted: Iterable[str]) -> str | None:
    """The first of `wanted` that `held` does not grant (None: all granted): no key can mint a stronger one."""
    held = tuple(held)
    return next((scope for scope in wanted if not grants(held, scope)), None)
