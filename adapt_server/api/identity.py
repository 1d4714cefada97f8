"""Who is calling, for the code that serves the call: the principal api/auth.py authenticated, bound to the
call's task (a context variable; asyncio.to_thread carries it into worker threads).

`caller_of(context)` is the one function that names a caller for limits shared with other parts of the
server (admission control counts per caller): the key id or certificate identity when there is one, else
the peer address.
"""
from __future__ import annotations

from contextvars import ContextVar, Token

from adapt_server.errors import Unauthenticated
from adapt_server.security.principal import Principal

_PRINCIPAL: ContextVar[Principal | None] = ContextVar("adapt_principal", default=None)


def bind(principal: Principal) -> Token:
    """Makes `principal` the caller of the current call (api/auth.py, before the servicer runs)."""
    return _PRINCIPAL.set(principal)


def unbind(token: Token) -> None:
    try:
        _PRINCIPAL.reset(token)
    except ValueError:  # a stream's generator finalized in another context: that context ends with the call
        pass


def current_principal() -> Principal:
    """The authenticated caller of the current call; Unauthenticated outside a call that auth admitted (a
    servicer registered without the interceptor would otherwise serve nobody's project)."""
    principal = _PRINCIPAL.get()
    if principal is None:
        raise Unauthenticated("no authenticated caller for this call")
    return principal


def caller_of(context) -> str:
    """A stable name of the caller: "key:<id>", "cert:<name>", "anonymous" (a loopback server without keys:
    then the peer, "peer:<address>", tells callers apart), for per-caller limits."""
    principal = _PRINCIPAL.get()
    if principal is not None and principal.identity != "anonymous":
        return principal.identity
    peer = context.peer() if context is not None else ""
    return f"peer:{_host_of(peer)}" if peer else "anonymous"


def _host_of(peer: str) -> str:
    """"ipv4:127.0.0.1:5000" -> "ipv4:127.0.0.1" (a client's connections share its address, not its port)."""
    kind, _, rest = peer.partition(":")
    if kind == "ipv6":
        return f"ipv6:{rest.rsplit(':', 1)[0]}"
    if kind == "ipv4":
        return f"ipv4:{rest.rsplit(':', 1)[0]}"
    return peer
