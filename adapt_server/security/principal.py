"""Who is calling: a key, a mapped client certificate, or (on a loopback server without auth) anyone."""
from __future__ import annotations

from dataclasses import dataclass

from adapt_server.security.scopes import ADMIN, SERVER_ADMIN, grants
from adapt_server.store.scope import DEFAULT_PROJECT

ANONYMOUS_IDENTITY = "anonymous"
UNAUTHENTICATED_IDENTITY = "unauthenticated"


@dataclass(frozen=True)
class Principal:
    identity: str                 # "key:<id>", "cert:<name>" or "anonymous"; what the audit log records
    project: str                  # every resource it touches is of this project
    scopes: frozenset[str]
    key_id: str = ""              # the API key it presented
    certificate: str = ""         # the verified client-certificate identity it presented

    def allows(self, scope: str) -> bool:
        return grants(self.scopes, scope)

    @property
    def server_admin(self) -> bool:
        return SERVER_ADMIN in self.scopes


def anonymous(certificate: str = "") -> Principal:
    """The caller of a loopback server started without keys: the default project's admin (auth is off)."""
    return Principal(ANONYMOUS_IDENTITY, DEFAULT_PROJECT, frozenset({ADMIN, SERVER_ADMIN}), certificate=certificate)
