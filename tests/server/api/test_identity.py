"""api/identity.py caller_of: the one seam that names a caller (API key hash prefix, else the peer host)."""
from __future__ import annotations

import hashlib

from adapt_server.api.identity import caller_of


class FakeContext:
    """The two ServicerContext methods caller_of reads (a real grpc.aio context is covered end to end by
    tests/e2e/test_speech_limits.py's per-caller admission)."""

    def __init__(self, metadata=(), peer="ipv4:127.0.0.1:5555"):
        self._metadata, self._peer = metadata, peer

    def invocation_metadata(self):
        return self._metadata

    def peer(self):
        return self._peer


def test_a_key_names_the_caller_by_its_hash_prefix_never_the_key():
    caller = caller_of(FakeContext((("authorization", "Bearer s3cret"),)))
    assert caller == "key:" + hashlib.sha256(b"s3cret").hexdigest()[:12] and "s3cret" not in caller


def test_without_a_key_the_peer_host_names_the_caller_whatever_its_port():
    assert caller_of(FakeContext(peer="ipv4:10.0.0.7:5555")) == caller_of(FakeContext(peer="ipv4:10.0.0.7:6666"))
    assert caller_of(FakeContext(peer="ipv6:[::1]:5555")) == "peer:::1"
    assert caller_of(FakeContext(peer="unix:/run/adapt.sock")) == "peer:/run/adapt.sock"
    assert caller_of(FakeContext((("authorization", "Bearer "),), peer="ipv4:10.0.0.7:1")) == "peer:10.0.0.7"
