"""Consent records: what a talent agreed to, bound to the exact statement audio and dataset, signed Ed25519.

A record is canonical JSON (sorted keys, no whitespace, UTF-8) of its fields; the stored/exported form is the
canonical JSON envelope {"public_key", "record", "signature"} (base64 for the bytes). `verify_record` checks a
record offline: the envelope must be byte-for-byte canonical, the signature must verify over the record's
canonical bytes, and (when given) the public key must be the trusted server key. So any changed byte of the
file, in a value, a key name, the signature, the public key or the layout, fails verification.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import asdict, dataclass, fields

from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.voices.server_key import key_id, public_key_bytes

RECORD_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


class InvalidConsentRecord(FailedPrecondition):
    """A consent record that does not verify (tampered, truncated, or signed by another key)."""


@dataclass(frozen=True)
class ConsentRecord:
    """What was consented to, and the evidence it was checked against."""

    version: int  # RECORD_VERSION
    talent_name: str  # the talent's first and last name, as given
    company: str  # who may create and use the synthetic voice
    locale: str  # BCP-47 language tag of the statement, e.g. "en-US"
    statement_sha256: str  # hex sha256 of the statement recording's bytes as uploaded
    dataset_sha256: str  # hex content hash of the voice dataset (its recordings) the voice is built from
    speaker: str  # the dataset's speaker label the voice is built for ("" when the dataset has one speaker)
    created_at: str  # UTC time of verification, RFC 3339 ("2026-12-06T20:00:00Z")
    statement_score: float  # consent_statement.StatementCheck.score
    speaker_score: float  # speaker_check.SpeakerCheck.score (cosine)
    key_id: str  # key_id() of the signing key

    def __post_init__(self) -> None:
        for name in ("statement_sha256", "dataset_sha256"):
            if not _SHA256.fullmatch(getattr(self, name)):
                raise InvalidArgument(f"consent record {name} must be 64 lower-case hex digits")
        if not _TIME.fullmatch(self.created_at):
            raise InvalidArgument(f"consent record created_at must be RFC 3339 UTC, got {self.created_at!r}")
        if not self.talent_name.strip() or not self.company.strip() or not self.locale.strip():
            raise InvalidArgument("consent record needs a talent name, a company and a locale")

    def canonical_bytes(self) -> bytes:
        return canonical_json(asdict(self))


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sign_record(record: ConsentRecord, private_key) -> bytes:
    """The signed envelope (canonical JSON bytes) of `record`; record.key_id must name `private_key`."""
    public = public_key_bytes(private_key)
    if record.key_id != key_id(public):
        raise InvalidArgument(f"record key_id {record.key_id} does not name the signing key ({key_id(public)})")
    signature = private_key.sign(record.canonical_bytes())
    return canonical_json({"public_key": base64.b64encode(public).decode("ascii"), "record": asdict(record),
                           "signature": base64.b64encode(signature).decode("ascii")})


def _strict_b64decode(text: str) -> bytes:
    """Base64 that must be canonical: b64decode ignores the unused low bits of the last character, so without
    this check a flipped bit there would leave the decoded signature (and the verdict) unchanged."""
    decoded = base64.b64decode(text, validate=True)
    if base64.b64encode(decoded).decode("ascii") != text:
        raise InvalidConsentRecord("a base64 field of the consent record is not canonical: it was edited after signing")
    return decoded


def verify_record(data: bytes, trusted_public_key: bytes | None = None) -> ConsentRecord:
    """The record in a signed envelope after checking it (InvalidConsentRecord saying what failed)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        envelope = json.loads(data.decode("utf-8"))
        if not isinstance(envelope, dict) or set(envelope) != {"public_key", "record", "signature"}:
            raise InvalidConsentRecord("not a consent record envelope {public_key, record, signature}")
        public = _strict_b64decode(envelope["public_key"])
        signature = _strict_b64decode(envelope["signature"])
        record_fields = envelope["record"]
        if not isinstance(record_fields, dict) or set(record_fields) != {f.name for f in fields(ConsentRecord)}:
            raise InvalidConsentRecord("the record's fields are not those of a version-1 consent record")
        record = ConsentRecord(**record_fields)
    except InvalidConsentRecord:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError, binascii.Error, TypeError, ValueError, AttributeError,
            InvalidArgument) as error:
        raise InvalidConsentRecord(f"the consent record is malformed: {error}") from None
    if canonical_json(envelope) != data:
        raise InvalidConsentRecord("the consent record is not in canonical form: it was edited after signing")
    if trusted_public_key is not None and public != trusted_public_key:
        raise InvalidConsentRecord(f"the consent record was signed by key {key_id(public)}, not by this server's key "
                                   f"{key_id(trusted_public_key)}")
    if record.key_id != key_id(public):
        raise InvalidConsentRecord("the record's key_id does not match its public key")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, record.canonical_bytes())
    except (InvalidSignature, ValueError):
        raise InvalidConsentRecord("the consent record's signature does not verify: the record or its signature "
                                   "was changed after signing") from None
    return record
