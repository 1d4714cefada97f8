"""The server's consent-signing key: one Ed25519 key per data directory (<data-dir>/keys/consent-ed25519.pem,
0600, created on first use; voices/server_key.py), loaded once per process."""
from __future__ import annotations

import threading
from pathlib import Path

from adapt_server.voices.server_key import load_or_create_signing_key, public_key_bytes

KEY_FILE = Path("keys") / "consent-ed25519.pem"

_lock = threading.Lock()
_keys: dict[Path, object] = {}


def signing_key(data_dir: Path):
    """The Ed25519PrivateKey of this data directory (created 0600 when absent)."""
    path = Path(data_dir) / KEY_FILE
    with _lock:
        if path not in _keys:
            _keys[path] = load_or_create_signing_key(path)
        return _keys[path]


def server_public_key(data_dir: Path) -> bytes:
    """The 32 raw bytes of the server's public key: what `adapt consent verify` trusts."""
    return public_key_bytes(signing_key(data_dir))
