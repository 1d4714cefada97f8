"""api/identity.py caller_of: the one seam that names a caller for per-caller limits (the authenticated key or
certificate identity, else the peer host without its port); current_principal refuses a call nobody admitted."""
from __future__ import annotations

import contextvars

import pytest

from adapt_server.api import identity
from adapt_server.api.identity import caller_of, current_principal
from adapt_server.errors import Unauthenticated
from adapt_server.security.principal import Principal, anonymous


class FakeContext:
    """The ServicerContext method caller_of reads (a real grpc.aio context is covered end to end by
    tests/e2e/test_speech_limits.py's per-caller admission and the trust e2e tests)."""

    def __init__(self, peer="ipv4:127.0.0.1:5555"):
        self._peer = peer

    def peer(self):
        return self._peer


def in_call(principal, fn):
    """fn() run in a fresh context with `principal` bound, as api/auth.py binds it for a call."""
    def run():
        if principal is not None:
            identity.bind(principal)
        return fn()
    return contextvars.copy_context().run(run)


def test_an_authenticated_key_names_the_caller_by_its_identity_never_the_secret():
    key = Principal("key:k-1234", "billing", frozenset({"speech:transcribe"}), key_id="k-1234")
    assert in_call(key, lambda: caller_of(FakeContext())) == "key:k-1234"


def test_an_anonymous_caller_is_named_by_its_peer_host_whatever_its_port():
    name = lambda peer: in_call(anonymous(), lambda: caller_of(FakeContext(peer)))  # noqa: E731
    assert name("ipv4:10.0.0.7:5555") == name("ipv4:10.0.0.7:6666") == "peer:ipv4:10.0.0.7"
    assert name("ipv4:10.0.0.7:5555") != name("ipv4:10.0.0.8:5555")
    assert name("unix:/run/adapt.sock") == "peer:unix:/run/adapt.sock"


def test_outside_an_admitted_call_there_is_no_principal():
    with pytest.raises(Unauthenticated):
        in_call(None, current_principal)
    assert in_call(anonymous(), current_principal).project == anonymous().project
