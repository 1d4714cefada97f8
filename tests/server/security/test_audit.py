"""The audit chain over a real SQLite store: rows chain by HMAC; an edited, deleted, inserted or reordered row
is named by verify; the chain key is made once and its loss is refused; the log is append-only."""
from __future__ import annotations

import sqlite3

import pytest

from adapt_server.config import ServerConfig
from adapt_server.security.audit import (AuditKeyMissing, AuditTrail, chain_hash, event_fields,
                                         load_or_create_chain_key, verify_rows)
from adapt_server.security.principal import Principal
from adapt_server.store.store import Store

KEY = b"k" * 32


@pytest.fixture
def store(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    s = Store.open(config, run_migrations=True)
    yield s
    s.close()


def _trail(store) -> AuditTrail:
    trail = AuditTrail(lambda: store.audit, KEY)
    alice = Principal("key:k1", "alpha", frozenset({"admin"}), key_id="k1")
    for i in range(5):
        trail.record(event_fields(alice, "/adapt.v1.Datasets/CreateDataset", f"ds_{i}", "OK", "ipv4:127.0.0.1:5"))
    return trail


def _raw(store):
    db = sqlite3.connect(store.db.conn.execute("PRAGMA database_list").fetchone()[2])
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return db


def test_an_intact_log_verifies_and_names_its_head(store):
    trail = _trail(store)
    result = trail.verify(store.audit)
    assert (result.ok, result.events, result.head_sequence) == (True, 5, 5)
    rows = list(store.audit.in_order())
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5] and rows[-1].hash == result.head_hash
    assert rows[1].hash == chain_hash(KEY, rows[0].hash, 2, rows[1].fields())


def test_the_log_is_append_only(store):
    _trail(store)
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("UPDATE audit_log SET code = 'OK' WHERE seq = 1")
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("DELETE FROM audit_log WHERE seq = 1")


@pytest.mark.parametrize("tamper, first_bad, reason", [
    ("UPDATE audit_log SET resource = 'ds_other' WHERE seq = 3", 3, "edited"),
    ("UPDATE audit_log SET time = time + 1 WHERE seq = 4", 4, "edited"),
    ("DELETE FROM audit_log WHERE seq = 2", 2, "row 2 was deleted"),
    ("DELETE FROM audit_log WHERE seq = 1", 1, "row 1 was deleted"),
    ("UPDATE audit_log SET seq = 9 WHERE seq = 3", 3, "row 3 was deleted"),
])
def test_any_edited_or_deleted_row_is_named(store, tamper, first_bad, reason):
    trail = _trail(store)
    db = _raw(store)
    db.execute(tamper)
    db.commit()
    result = verify_rows(store.audit.in_order(), KEY)
    assert not result.ok and result.first_bad_sequence == first_bad and reason in result.reason, result
    assert not trail.verify(store.audit).ok


def test_rewriting_the_chain_without_the_key_does_not_verify(store):
    _trail(store)
    db = _raw(store)
    row = list(store.audit.in_order())[2]
    forged = {**row.fields(), "identity": "key:someone-else"}
    db.execute("UPDATE audit_log SET identity = ?, hash = ? WHERE seq = 3",
               [forged["identity"], chain_hash(b"guessed" * 5, list(store.audit.in_order())[1].hash, 3, forged)])
    db.commit()
    assert verify_rows(store.audit.in_order(), KEY).first_bad_sequence == 3


def test_a_truncated_tail_shows_against_the_head_this_server_wrote(store):
    trail = _trail(store)
    db = _raw(store)
    db.execute("DELETE FROM audit_log WHERE seq >= 4")
    db.commit()
    assert verify_rows(store.audit.in_order(), KEY).ok  # the chain alone cannot tell: record the head elsewhere
    result = trail.verify(store.audit)
    assert not result.ok and result.first_bad_sequence == 4 and "rows 4..5 were deleted" in result.reason


def test_the_chain_key_is_made_once_and_its_loss_is_refused(tmp_path):
    path = tmp_path / "audit.key"
    key = load_or_create_chain_key(path, log_has_rows=False)
    assert len(key) == 32 and oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_or_create_chain_key(path, log_has_rows=True) == key
    path.unlink()
    with pytest.raises(AuditKeyMissing, match="restore it from your backup"):
        load_or_create_chain_key(path, log_has_rows=True)


def test_fields_hold_ids_and_short_text_only():
    fields = event_fields(None, "/adapt.v1.Models/GetModel", "x" * 2000, "UNAUTHENTICATED", "ipv4:1.2.3.4:5")
    assert fields["identity"] == "unauthenticated" and fields["project_id"] == "" and len(fields["resource"]) < 600
