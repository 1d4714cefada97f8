"""Offline check of a signed consent record (what `adapt consent verify FILE` runs): no server needed.

A record is the canonical JSON envelope {"public_key", "record", "signature"} (sorted keys, no whitespace,
UTF-8; base64 for the key and the signature) that client.voices.consent_record(...).signed_record holds. It
verifies when the envelope is byte for byte canonical, the Ed25519 signature verifies over the record's
canonical JSON, the record's key_id names the key, and (when a trusted key is given) the key is that one.
So any changed byte fails. Needs `cryptography` (pip install 'adapt-sdk[consent]').
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from pathlib import Path

RECORD_FIELDS = frozenset({"version", "talent_name", "company", "locale", "statement_sha256", "dataset_sha256",
                           "speaker", "created_at", "statement_score", "speaker_score", "key_id"})


class ConsentVerificationError(ValueError):
    """The record does not verify; the message says what failed."""


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def key_id(public_key: bytes) -> str:
    """The first 16 hex digits of the key's sha256 (as the server names its key)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def parse_public_key(text: str | bytes | Path) -> bytes:
    """32 raw key bytes from hex (64 digits), base64 (44 characters), raw bytes, or a file holding one of these."""
    if isinstance(text, Path) or (isinstance(text, str) and Path(text).is_file()):
        text = Path(text).read_bytes()
    if isinstance(text, bytes):
        if len(text) == 32:
            return text
        text = text.decode("ascii", errors="replace")
    text = text.strip()
    try:
        key = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        key = b""
    if len(key) != 32:
        raise ConsentVerificationError("the public key must be 32 bytes: 64 hex digits or 44 base64 characters")
    return key


def _strict_b64decode(text: str) -> bytes:
    """Base64 that must be canonical: b64decode ignores the unused low bits of the last character, so without
    this check a flipped bit there would leave the decoded signature (and the verdict) unchanged."""
    decoded = base64.b64decode(text, validate=True)
    if base64.b64encode(decoded).decode("ascii") != text:
        raise ConsentVerificationError("a base64 field of the consent record is not canonical: it was edited after signing")
    return decoded


def verify(data: bytes, trusted_public_key: bytes | None = None) -> dict:
    """The record's fields after checking the signed envelope `data`; ConsentVerificationError saying why not."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        envelope = json.loads(data.decode("utf-8"))
        if not isinstance(envelope, dict) or set(envelope) != {"public_key", "record", "signature"}:
            raise ConsentVerificationError("not a consent record envelope {public_key, record, signature}")
        public = _strict_b64decode(envelope["public_key"])
        signature = _strict_b64decode(envelope["signature"])
        record = envelope["record"]
        if not isinstance(record, dict) or set(record) != RECORD_FIELDS:
            raise ConsentVerificationError("the record's fields are not those of a version-1 consent record")
    except ConsentVerificationError:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError, binascii.Error, TypeError, ValueError) as error:
        raise ConsentVerificationError(f"the consent record is malformed: {error}") from None
    if canonical_json(envelope) != data:
        raise ConsentVerificationError("the consent record is not in canonical form: it was edited after signing")
    if trusted_public_key is not None and public != trusted_public_key:
        raise ConsentVerificationError(f"the record was signed by key {key_id(public)}, not by the trusted key "
                                       f"{key_id(trusted_public_key)}")
    if record["key_id"] != key_id(public):
        raise ConsentVerificationError("the record's key_id does not match its public key")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, canonical_json(record))
    except (InvalidSignature, ValueError):
        raise ConsentVerificationError("the signature does not verify: the record or its signature was changed "
                                       "after signing") from None
    return record
