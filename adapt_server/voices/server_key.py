"""The server's Ed25519 signing key for consent records: one PEM file, created once with mode 0600.

A key file readable by others is refused (FailedPrecondition saying to chmod it): whoever reads it can sign
consent records in the server's name. Creation uses O_EXCL, so two processes starting at once end up with
the same key (the loser of the race loads the winner's file).
"""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from adapt_server.errors import FailedPrecondition

KEY_FILE_MODE = 0o600


def load_or_create_signing_key(path: str | Path):
    """The Ed25519PrivateKey in `path` (PKCS#8 PEM), creating the file (0600, parents 0700) when absent."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
        except FileExistsError:
            pass  # another process created it first: load theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            return key
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise FailedPrecondition(f"the consent signing key {path} has mode {mode:o}, readable by others: "
                                 f"`chmod 600 {path}` (or move it away to create a new key)")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as error:
        raise FailedPrecondition(f"{path} is not a PEM private key ({error}): restore the server's key file") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise FailedPrecondition(f"{path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_bytes(key) -> bytes:
    """The 32 raw bytes of the public half of an Ed25519 private (or public) key."""
    from cryptography.hazmat.primitives import serialization

    public = key.public_key() if hasattr(key, "public_key") else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: bytes) -> str:
    """A short stable name of a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(public_key).hexdigest()[:16]
