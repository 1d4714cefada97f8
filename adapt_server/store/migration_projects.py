"""Schema migration 8: projects (tenancy), API keys, certificate identities and the audit log.

Every resource row gets a `project_id`; what a data directory held before goes to the `default` project
(bundled models to the shared one, store/scope.py). Request ids become unique per project, and the ids users
choose (registered models, deployments) are unique per project, so one project can never learn that another
used an id. SQLite cannot change a table's keys in place: those tables are rebuilt (the documented 12-step
procedure: new table, copy, drop, rename, indexes back) with foreign keys off, checked before the commit.
The rebuild starts from each table's own CREATE statement, so columns added by any other migration survive.
"""
from __future__ import annotations

import re

import sqlite_utils

from adapt_server.store.scope import DEFAULT_PROJECT, SHARED_PROJECT

PROJECT_COLUMN = f"project_id TEXT NOT NULL DEFAULT '{DEFAULT_PROJECT}'"
REQUEST_ID_UNIQUE = (r"request_id\s+TEXT\s+UNIQUE", "request_id TEXT")
ID_PRIMARY_KEY = (r"\bid\s+TEXT\s+PRIMARY\s+KEY", "id TEXT NOT NULL")

NEW_TABLES = f"""
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,                -- "k" + 12 hex digits; the public half of a key
        project_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        scopes TEXT NOT NULL,               -- JSON list, e.g. ["datasets:write", "speech:transcribe"]
        secret_sha256 TEXT NOT NULL,        -- hex SHA-256 of the whole key; the key itself is never stored
        created_by TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        expires_at REAL,                    -- NULL: never
        revoked_at REAL                     -- NULL: valid
    );
    CREATE INDEX api_keys_project ON api_keys(project_id, created_at, id);

    CREATE TABLE certificate_identities (
        identity TEXT PRIMARY KEY,          -- a client certificate's SAN or common name (verified by --client-ca)
        project_id TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL
    );

    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,            -- 1, 2, 3 ... with no gaps
        time REAL NOT NULL,
        project_id TEXT NOT NULL,           -- '' for a caller that was not authenticated
        identity TEXT NOT NULL,
        key_id TEXT NOT NULL DEFAULT '',
        certificate TEXT NOT NULL DEFAULT '',
        method TEXT NOT NULL,
        resource TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL,
        peer TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '',
        hash TEXT NOT NULL                  -- HMAC-SHA256 over the previous row's hash and this row
    );
    CREATE INDEX audit_log_project ON audit_log(project_id, seq);
    CREATE INDEX audit_log_time ON audit_log(time);

    ALTER TABLE jobs ADD COLUMN {PROJECT_COLUMN};
    CREATE INDEX jobs_project ON jobs(project_id, state)
"""
APPEND_ONLY_TRIGGERS = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
)


def apply_projects_migration(db: sqlite_utils.Database, statements) -> None:
    """Runs inside the migration's transaction, foreign keys off (store/db.py checks them before COMMIT).
    statements: the splitter of store/db.py for plain SQL scripts."""
    for statement in statements(NEW_TABLES):
        db.execute(statement)
    for trigger in APPEND_ONLY_TRIGGERS:
        db.execute(trigger)
    for table in ("datasets", "evaluations", "fine_tunes"):
        rebuild(db, table, [REQUEST_ID_UNIQUE], ["UNIQUE (project_id, request_id)"], f"'{DEFAULT_PROJECT}'")
    rebuild(db, "models", [ID_PRIMARY_KEY, REQUEST_ID_UNIQUE],
            ["PRIMARY KEY (project_id, id)", "UNIQUE (project_id, request_id)"],
            f"CASE WHEN kind = 'BUNDLED' THEN '{SHARED_PROJECT}' ELSE '{DEFAULT_PROJECT}' END")
    rebuild(db, "deployments", [ID_PRIMARY_KEY], ["PRIMARY KEY (project_id, id)"], f"'{DEFAULT_PROJECT}'")
    rebuild(db, "deployment_revisions",
            [(r"deployment_id\s+TEXT\s+NOT\s+NULL\s+REFERENCES\s+deployments\s*\(\s*id\s*\)\s+ON\s+DELETE\s+CASCADE",
              "deployment_id TEXT NOT NULL"),
             (r",\s*PRIMARY\s+KEY\s*\(\s*deployment_id\s*,\s*revision\s*\)", "")],
            ["PRIMARY KEY (project_id, deployment_id, revision)",
             "FOREIGN KEY (project_id, deployment_id) REFERENCES deployments(project_id, id) ON DELETE CASCADE"],
            f"'{DEFAULT_PROJECT}'")


def rebuild(db: sqlite_utils.Database, table: str, edits: list[tuple[str, str]], constraints: list[str],
            project_of_row: str) -> None:
    """Rebuilds `table` from its own CREATE statement with each (pattern, replacement) of `edits` applied
    (each must match exactly once), a project_id column and the table `constraints` added; rows are copied
    with project_id = the SQL expression `project_of_row`, and the table's indexes are made again."""
    create = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()[0]
    indexes = [r[0] for r in db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                        "AND sql IS NOT NULL", [table]).fetchall()]
    columns = [r["name"] for r in db.execute(f"PRAGMA table_info({table})").fetchall()]
    new_name = f"_rebuild_{table}"
    sql, count = re.subn(rf"^\s*CREATE\s+TABLE\s+\"?{table}\"?\s*\(", f"CREATE TABLE {new_name} (", create, flags=re.I)
    if count != 1:
        raise RuntimeError(f"migration 8: cannot read the CREATE statement of {table}: {create[:200]}")
    for pattern, replacement in edits:
        sql, count = re.subn(pattern, replacement, sql, flags=re.I)
        if count != 1:
            raise RuntimeError(f"migration 8: {table}: expected one {pattern!r} in its CREATE statement, found {count}")
    close = sql.rindex(")")
    sql = sql[:close] + "\n, " + ",\n ".join([PROJECT_COLUMN, *constraints]) + "\n)"
    db.execute(sql)
    listed = ", ".join(columns)
    db.execute(f"INSERT INTO {new_name} ({listed}, project_id) SELECT {listed}, {project_of_row} FROM {table}")
    db.execute(f"DROP TABLE {table}")
    db.execute(f"ALTER TABLE {new_name} RENAME TO {table}")
    for index in indexes:
        db.execute(index)
