"""API keys and certificate identities over a real store: keys are stored as hashes, checked in constant time,
refused when unknown, malformed, expired or revoked; no key grants more than its creator holds."""
from __future__ import annotations

import time

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from adapt_server.security.keys import Authenticator, KeyService, StaticKey, key_hash, key_id_of
from adapt_server.security.principal import Principal
from adapt_server.store.store import Store

ADMIN = Principal("key:root", "default", frozenset({"admin", "server:admin"}), key_id="root")
ALPHA = Principal("key:a", "alpha", frozenset({"admin"}), key_id="a")


@pytest.fixture
def store(tmp_path):
    s = Store.open(ServerConfig(data_dir=tmp_path / "data").resolved(), run_migrations=True)
    yield s
    s.close()


def _authenticator(store, statics=()) -> Authenticator:
    return Authenticator(tuple(statics), store.keys.get, store.certificates.get, required=True)


def test_a_key_is_stored_as_a_hash_and_authenticates(store):
    record, token = KeyService(store).create(ALPHA, "", ["datasets:read"], "reader", 0)
    assert token.startswith(f"adapt_{record.id}_") and key_id_of(token) == record.id
    assert record.secret_sha256 == key_hash(token) and token not in repr(store.keys.get(record.id))
    principal = _authenticator(store).from_token(token)
    assert (principal.identity, principal.project, principal.scopes) == (f"key:{record.id}", "alpha",
                                                                       frozenset({"datasets:read"}))


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),   # wrong secret
    lambda t: "adapt_knotakey0000_" + t.split("_")[-1],   # unknown key id
    lambda t: t.replace("adapt_", "other_"),              # not our format
    lambda t: t + "x" * 600,                              # absurdly long
])
def test_bad_keys_are_refused(store, mangle):
    _, token = KeyService(store).create(ALPHA, "", ["datasets:read"], "", 0)
    with pytest.raises(Unauthenticated, match="not valid"):
        _authenticator(store).from_token(mangle(token))


def test_expired_and_revoked_keys_are_refused_and_a_revoke_applies_at_once(store):
    authenticator = _authenticator(store)
    service = KeyService(store, authenticator.forget)
    short, short_token = service.create(ALPHA, "", ["datasets:read"], "", 1)
    kept, kept_token = service.create(ALPHA, "", ["datasets:read"], "", 0)
    assert authenticator.from_token(kept_token).key_id == kept.id  # now cached
    service.revoke(ALPHA, kept.id)
    with pytest.raises(Unauthenticated):
        authenticator.from_token(kept_token)
    time.sleep(1.1)
    with pytest.raises(Unauthenticated):
        authenticator.from_token(short_token)


def test_static_keys_are_compared_in_memory(store):
    admin = Principal("key:api-key", "default", frozenset({"admin"}), key_id="api-key")
    authenticator = _authenticator(store, [StaticKey(key_hash("a-long-enough-static-admin-key"), admin)])
    assert authenticator.cached("a-long-enough-static-admin-key") == admin
    with pytest.raises(Unauthenticated):
        authenticator.from_token("a-long-enough-static-admin-kex")


def test_no_key_grants_more_than_its_creator_or_reaches_another_project(store):
    service = KeyService(store)
    speech = Principal("key:s", "alpha", frozenset({"speech:transcribe", "keys:admin"}), key_id="s")
    with pytest.raises(PermissionDenied, match="cannot grant scope datasets:read"):
        service.create(speech, "", ["speech:transcribe", "datasets:read"], "", 0)
    with pytest.raises(PermissionDenied, match="cannot grant scope server:admin"):
        service.create(ALPHA, "", ["server:admin"], "", 0)
    with pytest.raises(PermissionDenied, match="needs scope server:admin"):
        service.create(ALPHA, "bravo", ["datasets:read"], "", 0)
    record, _ = service.create(ADMIN, "bravo", ["admin"], "bravo admin", 86400)
    assert record.project == "bravo" and record.expires_at > time.time()
    with pytest.raises(NotFound):
        service.revoke(ALPHA, record.id)  # another project's key: as if it did not exist
    assert [k.id for k in service.list(ALPHA, "", False, 0, "")[0]] == []
    with pytest.raises(PermissionDenied):
        service.list(ALPHA, "bravo", False, 0, "")
    assert [k.id for k in service.list(ADMIN, "bravo", False, 0, "")[0]] == [record.id]
    with pytest.raises(InvalidArgument, match="not a valid project name"):
        service.create(ADMIN, "Bad Project", ["admin"], "", 0)
    with pytest.raises(InvalidArgument, match="not a valid project name"):
        service.create(ADMIN, "_shared", ["admin"], "", 0)


def test_certificate_identities_map_to_a_project(store):
    service = KeyService(store)
    service.map_certificate(ADMIN, "batch.internal", "alpha", ["datasets:read"])
    authenticator = _authenticator(store)
    principal = authenticator.from_certificate(("other.internal", "batch.internal"))
    assert (principal.identity, principal.project, principal.certificate) == ("cert:batch.internal", "alpha",
                                                                            "batch.internal")
    assert authenticator.from_certificate(("nobody.internal",)) is None
    service.unmap_certificate("batch.internal")
    assert authenticator.from_certificate(("batch.internal",)) is None
