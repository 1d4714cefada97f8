"""Signed consent records: verify offline; any changed byte, field or key fails. The key file is 0600."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import stat

import pytest

from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.voices.consent_record import (ConsentRecord, InvalidConsentRecord, canonical_json, sign_record,
                                                verify_record)
from adapt_server.voices.server_key import key_id, load_or_create_signing_key, public_key_bytes


@pytest.fixture
def key(tmp_path):
    return load_or_create_signing_key(tmp_path / "keys" / "consent.pem")


def _record(key, **changes) -> ConsentRecord:
    fields = dict(version=1, talent_name="Daniel Parker", company="Northwind", locale="en-US",
                  statement_sha256=hashlib.sha256(b"statement").hexdigest(),
                  dataset_sha256=hashlib.sha256(b"dataset").hexdigest(), speaker="spk0",
                  created_at="2026-12-06T20:00:00Z", statement_score=0.9565, speaker_score=0.8123,
                  key_id=key_id(public_key_bytes(key)))
    fields.update(changes)
    return ConsentRecord(**fields)


def test_a_signed_record_verifies_offline_with_and_without_the_trusted_key(key):
    record = _record(key)
    envelope = sign_record(record, key)
    assert verify_record(envelope) == record
    assert verify_record(envelope, trusted_public_key=public_key_bytes(key)) == record


def test_every_flipped_byte_fails(key):
    envelope = sign_record(_record(key), key)
    for position in range(len(envelope)):
        for bit in (0x01, 0x04, 0x20):  # 0x04 in the signature's last base64 digit hits only its unused bits
            tampered = bytearray(envelope)
            tampered[position] ^= bit
            with pytest.raises(InvalidConsentRecord):
                verify_record(bytes(tampered), trusted_public_key=public_key_bytes(key))


@pytest.mark.parametrize("field, value", [
    ("talent_name", "Mallory Parker"), ("company", "Contoso"), ("locale", "en-GB"),
    ("statement_sha256", "0" * 64), ("dataset_sha256", "f" * 64), ("speaker", "spk1"),
    ("created_at", "2027-01-01T00:00:00Z"), ("statement_score", 0.99), ("speaker_score", 0.9), ("version", 2),
])
def test_a_changed_field_re_serialized_canonically_fails(key, field, value):
    envelope = sign_record(_record(key), key)
    import json

    data = json.loads(envelope)
    data["record"][field] = value
    with pytest.raises(InvalidConsentRecord, match="signature does not verify"):
        verify_record(canonical_json(data))


def test_a_record_signed_by_another_key_fails_against_the_trusted_key(key, tmp_path):
    other = load_or_create_signing_key(tmp_path / "other.pem")
    envelope = sign_record(_record(other), other)
    assert verify_record(envelope)  # self-consistent...
    with pytest.raises(InvalidConsentRecord, match="not by this server's key"):
        verify_record(envelope, trusted_public_key=public_key_bytes(key))  # ...but not ours


def test_reformatted_or_truncated_records_fail(key):
    envelope = sign_record(_record(key), key)
    with pytest.raises(InvalidConsentRecord, match="canonical"):
        verify_record(envelope.replace(b'","', b'", "', 1))
    with pytest.raises(InvalidConsentRecord, match="malformed"):
        verify_record(envelope[:-1])
    with pytest.raises(InvalidConsentRecord):
        verify_record(b"")


def test_record_fields_are_checked(key):
    with pytest.raises(InvalidArgument, match="64 lower-case hex"):
        _record(key, dataset_sha256="abc")
    with pytest.raises(InvalidArgument, match="RFC 3339"):
        _record(key, created_at="yesterday")
    with pytest.raises(InvalidArgument, match="does not name the signing key"):
        sign_record(dataclasses.replace(_record(key), key_id="0" * 16), key)


def test_the_key_file_is_created_0600_and_loaded_again(tmp_path):
    path = tmp_path / "consent.pem"
    first = load_or_create_signing_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_bytes(load_or_create_signing_key(path)) == public_key_bytes(first)


def test_a_key_file_readable_by_others_is_refused(tmp_path):
    path = tmp_path / "consent.pem"
    load_or_create_signing_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(FailedPrecondition, match="chmod 600"):
        load_or_create_signing_key(path)


def test_a_key_file_that_is_not_a_key_is_refused(tmp_path):
    path = tmp_path / "consent.pem"
    path.write_bytes(b"not a key")
    os.chmod(path, 0o600)
    with pytest.raises(FailedPrecondition, match="not a PEM private key"):
        load_or_create_signing_key(path)
