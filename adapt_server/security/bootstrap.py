"""What the server's trust boundary starts with: the keys of its configuration, whether callers need one,
the first admin key, the audit chain, and the transport rule.

- `--api-key KEY` (or ADAPT_SERVER_API_KEY, or --api-key-file) keeps working: an admin key of the default
  project with server:admin, compared in memory and never stored.
- `--admin-key-file F`: the admin key read from F at start; when F does not exist a new key is written there
  (0600) and the server says where (never the key itself).
- Otherwise, a server that requires keys and has none (no key, no mapped certificate) makes one admin key on
  its first start and prints it once; only its hash is stored.
- Keys are required unless the server listens on loopback only with none of the above and no keys or
  certificate mappings stored (a developer's machine: every caller is the default project's admin).
- API keys are never accepted over plaintext on a non-loopback address unless --insecure says so.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapt_server.config import ServerConfig
from adapt_server.security.audit import AuditKeyMissing, AuditTrail, load_or_create_chain_key
from adapt_server.security.keys import Authenticator, StaticKey, key_hash, new_key
from adapt_server.security.principal import Principal
from adapt_server.security.scopes import ADMIN, SERVER_ADMIN
from adapt_server.store.scope import DEFAULT_PROJECT
from adapt_server.store.security import KeyRecord
from adapt_server.store.store import Store

log = logging.getLogger("adapt.security")
MIN_STATIC_KEY_CHARS = 24  # a key from a flag or file shorter than this is refused as guessable
ADMIN_SCOPES = frozenset({ADMIN, SERVER_ADMIN})


@dataclass(frozen=True)
class TrustRuntime:
    """The server-wide objects of the trust boundary."""
    authenticator: Authenticator
    audit: AuditTrail
    auth_required: bool
    tls: bool


def listen_host(listen: str) -> str:
    """The host part of "host:port", "[v6]:port" or "unix:/path" ("unix" for a Unix socket)."""
    if listen.startswith("unix:"):
        return "unix"
    host = listen.rsplit(":", 1)[0] if ":" in listen else listen
    return host.strip("[]")


def is_loopback(listen: str) -> bool:
    """Whether only this machine can reach `listen` (127/8, ::1, localhost, a Unix socket)."""
    host = listen_host(listen)
    if host in ("unix", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_problem(config: ServerConfig) -> str | None:
    """Why the server must not start with this transport (None: it may)."""
    trust = config.trust
    if bool(trust.tls_cert) != bool(trust.tls_key):
        return "--tls-cert and --tls-key go together: give the server's certificate chain and its private key"
    if trust.client_ca and not trust.tls_cert:
        return "--client-ca (mutual TLS) needs TLS: give --tls-cert and --tls-key too"
    if not is_loopback(config.listen) and not trust.tls_cert and not trust.insecure:
        return (f"refusing to serve API keys over plaintext on {config.listen}, a non-loopback address: give "
                "--tls-cert and --tls-key (and --client-ca for mutual TLS), or --insecure if a TLS proxy in front "
                "of the server encrypts the traffic")
    return None


def read_key_file(path: Path) -> str:
    """A key from a file (stripped); refuses a file others may read or a key too short to be secret."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s may be read by other users (mode %o); chmod 600 it", path, stat.S_IMODE(mode))
    key = path.read_text().strip()
    if len(key) < MIN_STATIC_KEY_CHARS:
        raise SystemExit(f"{path} holds {len(key)} characters; a key needs at least {MIN_STATIC_KEY_CHARS} random "
                         "ones (delete the file to have the server write a new key there)")
    return key


def write_new_key_file(path: Path) -> str:
    """A new admin key written to `path` (0600, which must not exist)."""
    _, token = new_key()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token + "\n")
    return token


def static_keys(config: ServerConfig, say: Callable[[str], None]) -> tuple[StaticKey, ...]:
    keys = []
    if config.api_key:
        if len(config.api_key) < MIN_STATIC_KEY_CHARS:
            log.warning("--api-key is %d characters; use at least %d random ones", len(config.api_key),
                        MIN_STATIC_KEY_CHARS)
        keys.append(StaticKey(key_hash(config.api_key), Principal(
            "key:api-key", DEFAULT_PROJECT, ADMIN_SCOPES, key_id="api-key")))
    path = config.trust.admin_key_file
    if path is not None:
        if path.exists():
            token = read_key_file(path)
        else:
            token = write_new_key_file(path)
            say(f"wrote a new admin key to {path} (mode 600): send it as 'authorization: Bearer <key>'")
        keys.append(StaticKey(key_hash(token), Principal(
            "key:admin-key-file", DEFAULT_PROJECT, ADMIN_SCOPES, key_id="admin-key-file")))
    return tuple(keys)


class _ThreadStores:
    """One store connection per thread (the authenticator's look-ups run in the default executor)."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self._local = threading.local()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store.open(self.config)
        return store


def start_trust(config: ServerConfig, store: Store, say: Callable[[str], None] = print) -> TrustRuntime:
    """The trust boundary of a server about to serve `config` (store: the migrated data directory). Raises
    SystemExit for a configuration it must not serve; `say` prints the one-time messages."""
    problem = transport_problem(config)
    if problem:
        raise SystemExit(problem)
    statics = static_keys(config, say)
    trust = config.trust
    stored = store.keys.any() or store.certificates.any()
    required = bool(not is_loopback(config.listen) or statics or trust.client_ca or trust.require_auth or stored)
    if required and not statics and not stored:
        key_id, token = new_key()
        store.keys.insert(KeyRecord(id=key_id, project=DEFAULT_PROJECT, name="first admin key (printed at first start)",
                                    scopes=tuple(sorted(ADMIN_SCOPES)), secret_sha256=key_hash(token),
                                    created_by="server", created_at=time.time(), expires_at=None, revoked_at=None))
        say("This server requires API keys and has none: its first admin key (shown once, store it now; "
            f"revoke it with `adapt keys revoke {key_id}` once you made your own):\n{token}")
    stores = _ThreadStores(config)
    authenticator = Authenticator(statics, lambda key_id: stores.get().keys.get(key_id),
                                  lambda identity: stores.get().certificates.get(identity), required)
    try:
        chain_key = load_or_create_chain_key(config.audit_key_path, store.audit.page(1, 0, None, None)[0] != [])
    except AuditKeyMissing as exc:
        raise SystemExit(str(exc)) from None
    audit = AuditTrail(lambda: Store.open(config).audit, chain_key)
    return TrustRuntime(authenticator, audit, required, tls=bool(trust.tls_cert))
