"""Opening the SQLite database: WAL, foreign keys, busy timeout, and migrations to the newest schema."""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

from adapt_server.store.schema import MIGRATIONS

BUSY_TIMEOUT_MS = 30_000  # writers wait this long for the lock instead of failing


def connect(path: Path) -> sqlite_utils.Database:
    """A connection with WAL, foreign keys on, and autocommit (transactions are explicit: `transaction`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.row_factory = sqlite3.Row
    db = sqlite_utils.Database(conn)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): all-or-nothing writes, never half-visible."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite_utils.Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(db: sqlite_utils.Database) -> int:
    """Applies every pending migration, each in its own transaction; returns the resulting schema version."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
               "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)")
    newest_known = max(m.version for m in MIGRATIONS)
    current = schema_version(db)
    if current > newest_known:
        raise RuntimeError(f"database schema version {current} is newer than this server knows "
                           f"({newest_known}); upgrade Adapt before opening this data directory")
    # by version, and by what is applied rather than the maximum: migrations developed side by side may be
    # appended to MIGRATIONS out of order, and each must still run exactly once
    applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations").fetchall()}
    for migration in sorted(MIGRATIONS, key=lambda m: m.version):
        if migration.version in applied:
            continue
        if migration.foreign_keys_off:
            db.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: set before BEGIN
        try:
            with transaction(db):
                for statement in _statements(migration.sql):
                    db.execute(statement)
                if migration.apply is not None:
                    migration.apply(db, _statements)
                broken = db.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration {migration.version} ({migration.name}) would break foreign keys: "
                                       f"{[tuple(row) for row in broken[:5]]}")
                db.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                           [migration.version, migration.name, time.time()])
        finally:
            db.execute("PRAGMA foreign_keys=ON")
    return schema_version(db)


def _statements(sql: str) -> list[str]:
    """Splits a migration script into statements: '--' comments dropped, then split on ';'
    (our migrations hold no '--' or ';' inside string literals)."""
    code = "\n".join(line.split("--", 1)[0] for line in sql.splitlines())
    return [s.strip() for s in code.split(";") if s.strip()]
