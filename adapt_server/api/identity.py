"""Who is calling: the one function that names the caller of an RPC, for per-caller limits (admission control
of speech work) and anything else that needs to tell callers apart.

Today a caller is the hash prefix of its API key (`key:<12 hex>`, never the key itself) when the request carries
`authorization: Bearer KEY`, else its peer host (`peer:127.0.0.1`; the port is left out: one client's channels
are one caller). Scoped API keys (issue 17) will make this return the key's id: keep every use behind
`caller_of`.
"""
from __future__ import annotations

import hashlib

BEARER = "bearer "


def caller_of(context) -> str:
    """The caller of the RPC whose grpc.aio ServicerContext is `context` (see the module docstring)."""
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str) and value.lower().startswith(BEARER):
            token = value[len(BEARER):].strip()
            if token:
                return "key:" + hashlib.sha256(token.encode()).hexdigest()[:12]
    return "peer:" + _peer_host(context.peer() or "")


def _peer_host(peer: str) -> str:
    """'ipv4:127.0.0.1:5555' -> '127.0.0.1', 'ipv6:[::1]:5555' -> '::1', 'unix:/path' -> '/path'."""
    kind, _, address = peer.partition(":")
    if kind == "ipv6" and address.startswith("["):
        return address[1:address.find("]")] if "]" in address else address
    if kind == "ipv4":
        return address.rpartition(":")[0] or address
    return address or peer or "unknown"
