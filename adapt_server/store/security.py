"""The security tables (schema migration 8): API keys (hashes only), client-certificate identities, and the
append-only audit log. Server-wide: these rows name their project; the services in adapt_server/security/
decide who may read which."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlite_utils

from adapt_server.store.db import transaction
from adapt_server.store.pages import keyset_page


@dataclass(frozen=True)
class KeyRecord:
    id: str                       # "k" + 12 hex digits
    project: str
    name: str
    scopes: tuple[str, ...]
    secret_sha256: str            # hex SHA-256 of the whole key
    created_by: str
    created_at: float             # unix seconds
    expires_at: float | None      # None: never
    revoked_at: float | None      # None: valid


@dataclass(frozen=True)
class CertificateMapping:
    identity: str                 # a verified client certificate's SAN or common name
    project: str
    scopes: tuple[str, ...]
    created_by: str
    created_at: float


AUDIT_FIELDS = ("time", "project_id", "identity", "key_id", "certificate", "method", "resource", "code", "peer",
                "detail")


@dataclass(frozen=True)
class AuditRow:
    seq: int
    time: float
    project_id: str
    identity: str
    key_id: str
    certificate: str
    method: str
    resource: str
    code: str
    peer: str
    detail: str
    hash: str

    def fields(self) -> dict:
        """The hashed content of the row (everything but seq and hash)."""
        return {name: getattr(self, name) for name in AUDIT_FIELDS}


class KeyRepository:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def insert(self, record: KeyRecord) -> None:
        self.db.execute(
            "INSERT INTO api_keys (id, project_id, name, scopes, secret_sha256, created_by, created_at, expires_at, "
            "revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record.id, record.project, record.name, json.dumps(list(record.scopes)), record.secret_sha256,
             record.created_by, record.created_at, record.expires_at, record.revoked_at])

    def get(self, key_id: str) -> KeyRecord | None:
        row = self.db.execute("SELECT * FROM api_keys WHERE id = ?", [key_id]).fetchone()
        return _key(row) if row else None

    def any(self) -> bool:
        return self.db.execute("SELECT 1 FROM api_keys LIMIT 1").fetchone() is not None

    def page(self, size: int, after: tuple[float, str] | None, project: str | None,
             include_revoked: bool) -> tuple[list[KeyRecord], str]:
        """Keys oldest first, of one project when given, revoked ones only when asked."""
        filters = []
        if project is not None:
            filters.append(("project_id = ?", [project]))
        if not include_revoked:
            filters.append(("revoked_at IS NULL", []))
        rows, token = keyset_page(self.db, "SELECT * FROM api_keys", size, after, filters)
        return [_key(r) for r in rows], token

    def revoke(self, key_id: str, project: str | None) -> KeyRecord | None:
        """Revokes the key (of `project` when given; a key revoked before keeps its time); None: no such key."""
        query, params = "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", [time.time(), key_id]
        if project is not None:
            query, params = query + " AND project_id = ?", params + [project]
        if self.db.execute(query, params).rowcount == 0:
            return None
        return self.get(key_id)


class CertificateRepository:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def insert(self, mapping: CertificateMapping) -> bool:
        """False when the identity is mapped already."""
        row = self.db.execute(
            "INSERT INTO certificate_identities (identity, project_id, scopes, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity) DO NOTHING",
            [mapping.identity, mapping.project, json.dumps(list(mapping.scopes)), mapping.created_by,
             mapping.created_at])
        return row.rowcount > 0

    def get(self, identity: str) -> CertificateMapping | None:
        row = self.db.execute("SELECT * FROM certificate_identities WHERE identity = ?", [identity]).fetchone()
        return _mapping(row) if row else None

    def all(self) -> list[CertificateMapping]:
        rows = self.db.execute("SELECT * FROM certificate_identities ORDER BY identity").fetchall()
        return [_mapping(r) for r in rows]

    def any(self) -> bool:
        return self.db.execute("SELECT 1 FROM certificate_identities LIMIT 1").fetchone() is not None

    def delete(self, identity: str) -> CertificateMapping | None:
        mapping = self.get(identity)
        if mapping is not None:
            self.db.execute("DELETE FROM certificate_identities WHERE identity = ?", [identity])
        return mapping


class AuditRepository:
    """The audit log: rows are only ever appended (triggers refuse UPDATE and DELETE)."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db

    def append(self, fields: dict, chain: Callable[[str, int, dict], str]) -> AuditRow:
        """Appends a row of `fields` (AUDIT_FIELDS); chain(previous hash, seq, fields) -> this row's hash.
        The read of the previous row and the insert are one transaction, so rows chain without gaps."""
        with transaction(self.db):
            last = self.db.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
            seq, previous = (last["seq"] + 1, last["hash"]) if last else (1, "")
            digest = chain(previous, seq, fields)
            values = [seq, *(fields[name] for name in AUDIT_FIELDS), digest]
            self.db.execute(f"INSERT INTO audit_log (seq, {', '.join(AUDIT_FIELDS)}, hash) "
                            f"VALUES ({', '.join('?' for _ in values)})", values)
        return AuditRow(seq, *(fields[name] for name in AUDIT_FIELDS), digest)

    def page(self, size: int, after_seq: int, since: float | None, project: str | None) -> tuple[list[AuditRow], int]:
        """Rows with seq > after_seq (and time >= since, of `project`, when given), oldest first; returns
        (rows, the seq the next page starts after, 0 after the last page)."""
        query, params = "SELECT * FROM audit_log WHERE seq > ?", [after_seq]
        if since is not None:
            query, params = query + " AND time >= ?", params + [since]
        if project is not None:
            query, params = query + " AND project_id = ?", params + [project]
        rows = self.db.execute(query + " ORDER BY seq LIMIT ?", params + [size + 1]).fetchall()
        more = len(rows) > size
        rows = [_audit(r) for r in rows[:size]]
        return rows, (rows[-1].seq if more else 0)

    def in_order(self, batch: int = 1000) -> Iterator[AuditRow]:
        """Every row by seq, read in batches."""
        after = 0
        while True:
            rows = self.db.execute("SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
                                   [after, batch]).fetchall()
            if not rows:
                return
            for row in rows:
                yield _audit(row)
            after = rows[-1]["seq"]


def _key(row) -> KeyRecord:
    return KeyRecord(id=row["id"], project=row["project_id"], name=row["name"], scopes=tuple(json.loads(row["scopes"])),
                     secret_sha256=row["secret_sha256"], created_by=row["created_by"], created_at=row["created_at"],
                     expires_at=row["expires_at"], revoked_at=row["revoked_at"])


def _mapping(row) -> CertificateMapping:
    return CertificateMapping(identity=row["identity"], project=row["project_id"],
                              scopes=tuple(json.loads(row["scopes"])), created_by=row["created_by"],
                              created_at=row["created_at"])


def _audit(row) -> AuditRow:
    return AuditRow(seq=row["seq"], **{name: row[name] for name in AUDIT_FIELDS}, hash=row["hash"])
