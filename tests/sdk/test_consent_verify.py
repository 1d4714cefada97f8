"""The SDK's offline consent check (adapt/consent.py, what `adapt consent verify` runs) accepts what the server's
signer (adapt_server/voices/consent_record.py) produces and refuses any changed byte, another key or a
re-serialized envelope; the CLI exits 1 on a tampered file."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest
from click.testing import CliRunner

from adapt.cli import main
from adapt.consent import ConsentVerificationError, parse_public_key, verify
from adapt_server.voices.consent_record import ConsentRecord, sign_record
from adapt_server.voices.server_key import key_id, load_or_create_signing_key, public_key_bytes


@pytest.fixture
def key(tmp_path):
    return load_or_create_signing_key(tmp_path / "keys" / "consent.pem")


@pytest.fixture
def envelope(key) -> bytes:
    record = ConsentRecord(version=1, talent_name="Daniel Parker", company="Northwind", locale="en-US",
                           statement_sha256=hashlib.sha256(b"statement").hexdigest(),
                           dataset_sha256=hashlib.sha256(b"dataset").hexdigest(), speaker="joe",
                           created_at="2026-12-06T20:00:00Z", statement_score=0.9565, speaker_score=0.8123,
                           key_id=key_id(public_key_bytes(key)))
    return sign_record(record, key)


def test_a_server_signed_record_verifies_with_the_sdk(key, envelope):
    fields = verify(envelope, public_key_bytes(key))
    assert (fields["talent_name"], fields["company"], fields["speaker"]) == ("Daniel Parker", "Northwind", "joe")
    assert verify(envelope) == fields


def test_every_flipped_bit_of_every_byte_fails(key, envelope):
    for position in range(len(envelope)):
        tampered = bytearray(envelope)
        tampered[position] ^= 0x04
        with pytest.raises(ConsentVerificationError):
            verify(bytes(tampered), public_key_bytes(key))


def test_another_key_and_a_reformatted_envelope_fail(tmp_path, key, envelope):
    other = public_key_bytes(load_or_create_signing_key(tmp_path / "other" / "consent.pem"))
    with pytest.raises(ConsentVerificationError, match="not by the trusted key"):
        verify(envelope, other)
    with pytest.raises(ConsentVerificationError, match="canonical"):
        verify(json.dumps(json.loads(envelope), indent=1).encode(), public_key_bytes(key))


def test_public_keys_parse_from_hex_base64_and_files(tmp_path, key):
    raw = public_key_bytes(key)
    (tmp_path / "key.txt").write_text(raw.hex() + "\n")
    assert parse_public_key(raw.hex()) == parse_public_key(base64.b64encode(raw).decode()) == raw
    assert parse_public_key(str(tmp_path / "key.txt")) == raw
    with pytest.raises(ConsentVerificationError, match="32 bytes"):
        parse_public_key("abcd")


def test_the_cli_says_valid_or_invalid_with_its_exit_code(tmp_path, key, envelope):
    good, bad = tmp_path / "consent.json", tmp_path / "tampered.json"
    good.write_bytes(envelope)
    bad.write_bytes(envelope.replace(b"Northwind", b"Northwand"))
    runner = CliRunner()
    ok = runner.invoke(main, ["consent", "verify", str(good), "--public-key", public_key_bytes(key).hex()])
    assert ok.exit_code == 0 and "VALID: Daniel Parker for Northwind" in ok.output, ok.output
    refused = runner.invoke(main, ["consent", "verify", str(bad), "--public-key", public_key_bytes(key).hex()])
    assert refused.exit_code == 1 and "INVALID" in refused.output
