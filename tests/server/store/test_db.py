from adapt_server.store.db import connect, migrate, schema_version, transaction
from adapt_server.store.schema import MIGRATIONS

import pytest


def test_migrate_creates_schema_and_is_idempotent(tmp_path):
    db = connect(tmp_path / "a.sqlite3")
    assert schema_version(db) == 0
    assert migrate(db) == MIGRATIONS[-1].version
    assert migrate(db) == MIGRATIONS[-1].version
    assert {"jobs", "job_events", "datasets", "recordings", "utterances", "models"} <= set(db.table_names())
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_newer_schema_is_refused(tmp_path):
    db = connect(tmp_path / "a.sqlite3")
    migrate(db)
    db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    with pytest.raises(RuntimeError, match="newer than this server"):
        migrate(db)


def test_transaction_rolls_back_on_error(tmp_path):
    db = connect(tmp_path / "a.sqlite3")
    migrate(db)
    with pytest.raises(ZeroDivisionError):
        with transaction(db):
            db.execute("INSERT INTO datasets (id, name, request_hash, spec, created_at) VALUES ('d', 'n', 'h', '{}', 0)")
            1 / 0
    assert db.execute("SELECT COUNT(*) FROM datasets").fetchone()[0] == 0
