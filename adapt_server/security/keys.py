"""API keys and client-certificate identities: made, listed, revoked, and checked on every call.

A key is `adapt_<key id>_<secret>`: the key id ("k" + 12 hex digits) is public (lists and the audit log
show it), the secret is 32 random bytes (64 hex digits). The server stores only the SHA-256 of the whole key.
A plain hash is right here, a slow password hash (bcrypt, argon2) is not needed: those defend guessable
human passwords against offline guessing, while a 256-bit random secret cannot be guessed whatever the hash
costs, and checking a key then costs microseconds on every call instead of ~100 ms. The comparison is in
constant time (hmac.compare_digest), the lookup is by the public key id.

Keys of the server's own configuration (`--api-key`, `--admin-key-file`) are `StaticKey`s: compared in
memory, never stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from adapt_server.errors import AlreadyExists, InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from adapt_server.security.principal import Principal
from adapt_server.security.scopes import SERVER_ADMIN, check_scopes, first_missing
from adapt_server.store.pages import requested_page
from adapt_server.store.scope import check_project
from adapt_server.store.security import CertificateMapping, KeyRecord
from adapt_server.store.store import Store

KEY_PREFIX = "adapt_"
MAX_NAME_LENGTH = 200
MAX_EXPIRY_S = 10 * 365 * 86400
MAX_TOKEN_LENGTH = 512            # longer "keys" are refused before hashing
CACHE_TTL_S = 5.0                 # a key record is re-read at least this often (revocations here apply at once)
NO_KEY = ("this server requires an API key: pass api_key=... to adapt.Client (or set ADAPT_API_KEY) so that "
          "requests carry 'authorization: Bearer <key>', or a client certificate mapped to a project")
BAD_KEY = "the API key is not valid (unknown, malformed, expired or revoked); ask an admin for a new one"


def new_key() -> tuple[str, str]:
    """(key id, the whole key) of a fresh random key."""
    key_id = "k" + secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_hex(32)}"


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def key_id_of(token: str) -> str | None:
    """The key id of a key in Adapt's format, else None."""
    if not token.startswith(KEY_PREFIX):
        return None
    parts = token[len(KEY_PREFIX):].split("_")
    return parts[0] if len(parts) == 2 and parts[0] else None


@dataclass(frozen=True)
class StaticKey:
    """A key the server was started with (never stored): its hash and whom it authenticates."""
    sha256: str
    principal: Principal


class Authenticator:
    """Server-wide and thread-safe: the principal of a presented key or client certificate. load(key_id) ->
    KeyRecord | None and mapping(identity) -> CertificateMapping | None read the store (in a worker thread)."""

    def __init__(self, static_keys: tuple[StaticKey, ...], load: Callable[[str], KeyRecord | None],
                 mapping: Callable[[str], CertificateMapping | None], required: bool):
        self.static_keys = static_keys
        self.load = load
        self.mapping = mapping
        self.required = required   # False: a loopback server without keys, every caller is anonymous
        self._cache: dict[str, tuple[float, KeyRecord | None]] = {}
        self._lock = threading.Lock()

    def cached(self, token: str) -> Principal | None:
        """The principal of `token` if that needs no store read (a static key, or a key read recently);
        raises Unauthenticated for a key known to be bad."""
        for static in self.static_keys:
            if hmac.compare_digest(static.sha256, key_hash(token)):
                return static.principal
        key_id = key_id_of(token)
        if key_id is None or len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated(BAD_KEY)
        with self._lock:
            hit = self._cache.get(key_id)
        if hit is None or time.monotonic() - hit[0] > CACHE_TTL_S:
            return None
        return _check(hit[1], token)

    def from_token(self, token: str) -> Principal:
        """The principal of `token` (may read the store: call it off the event loop)."""
        principal = self.cached(token)
        if principal is not None:
            return principal
        key_id = key_id_of(token)
        record = self.load(key_id)
        with self._lock:
            self._cache[key_id] = (time.monotonic(), record)
        return _check(record, token)

    def from_certificate(self, names: tuple[str, ...]) -> Principal | None:
        """The principal a verified client certificate is mapped to (its SANs first, then the common name);
        None when none of its names is mapped."""
        for name in names:
            mapped = self.mapping(name)
            if mapped is not None:
                return Principal(f"cert:{name}", mapped.project, frozenset(mapped.scopes), certificate=name)
        return None

    def forget(self, key_id: str) -> None:
        """Drops a cached key (after a revoke), so the next call reads it again."""
        with self._lock:
            self._cache.pop(key_id, None)


def _check(record: KeyRecord | None, token: str) -> Principal:
    if record is None or not hmac.compare_digest(record.secret_sha256, key_hash(token)):
        raise Unauthenticated(BAD_KEY)
    if record.revoked_at is not None or (record.expires_at is not None and record.expires_at <= time.time()):
        raise Unauthenticated(BAD_KEY)
    return Principal(f"key:{record.id}", record.project, frozenset(record.scopes), key_id=record.id)


class KeyService:
    """The Keys use cases for one caller (free of gRPC). forget: Authenticator.forget, so a revoke applies to
    the next call."""

    def __init__(self, store: Store, forget: Callable[[str], None] = lambda key_id: None):
        self.store = store
        self.forget = forget

    def create(self, caller: Principal, project: str, scopes: list[str], name: str,
               expires_in_s: int) -> tuple[KeyRecord, str]:
        """A new key (project: the caller's when empty) and its secret, shown this once."""
        project = check_project(project) if project else caller.project
        if project != caller.project and not caller.server_admin:
            raise PermissionDenied(f"a key of project {caller.project!r} cannot create keys of another project; "
                                   f"that needs scope {SERVER_ADMIN}")
        scopes = check_scopes(scopes)
        missing = first_missing(caller.scopes, scopes)
        if missing is not None:
            raise PermissionDenied(f"cannot grant scope {missing}: the key that creates a key must hold every scope "
                                   "it grants")
        if len(name) > MAX_NAME_LENGTH:
            raise InvalidArgument(f"name is {len(name)} characters; the limit is {MAX_NAME_LENGTH}")
        if not 0 <= expires_in_s <= MAX_EXPIRY_S:
            raise InvalidArgument(f"expires_in_seconds must be between 0 (never) and {MAX_EXPIRY_S} (ten years); "
                                  f"got {expires_in_s}")
        key_id, token = new_key()
        now = time.time()
        record = KeyRecord(id=key_id, project=project, name=name, scopes=scopes, secret_sha256=key_hash(token),
                           created_by=caller.identity, created_at=now,
                           expires_at=now + expires_in_s if expires_in_s else None, revoked_at=None)
        self.store.keys.insert(record)
        return record, token

    def list(self, caller: Principal, project: str, include_revoked: bool, requested_size: int,
             token: str) -> tuple[list[KeyRecord], str]:
        return requested_page(self.store.keys.page, requested_size, token,
                              project=self._project_filter(caller, project), include_revoked=include_revoked)

    def revoke(self, caller: Principal, key_id: str) -> KeyRecord:
        record = self.store.keys.revoke(key_id, None if caller.server_admin else caller.project) if key_id else None
        if record is None:
            raise NotFound(f"key {key_id!r} does not exist; list keys to see the ids")
        self.forget(key_id)
        return record

    def map_certificate(self, caller: Principal, identity: str, project: str, scopes: list[str]) -> CertificateMapping:
        if not identity or len(identity) > 255:
            raise InvalidArgument("identity is required: a client certificate's subject alternative name (DNS, URI, "
                                  "email) or common name, at most 255 characters")
        mapping = CertificateMapping(identity=identity, project=check_project(project or caller.project),
                                     scopes=check_scopes(scopes), created_by=caller.identity, created_at=time.time())
        if not self.store.certificates.insert(mapping):
            raise AlreadyExists(f"certificate identity {identity!r} is mapped already; unmap it first to change it")
        return mapping

    def certificate_mappings(self) -> list[CertificateMapping]:
        return self.store.certificates.all()

    def unmap_certificate(self, identity: str) -> CertificateMapping:
        mapping = self.store.certificates.delete(identity)
        if mapping is None:
            raise NotFound(f"certificate identity {identity!r} is not mapped")
        return mapping

    @staticmethod
    def _project_filter(caller: Principal, project: str) -> str | None:
        """A server admin sees every project (or the one asked for); anyone else only their own."""
        if caller.server_admin:
            return check_project(project) if project else None
        if project and project != caller.project:
            raise PermissionDenied(f"a key of project {caller.project!r} sees only its own project; listing "
                                   f"{project!r} needs scope {SERVER_ADMIN}")
        return caller.project
