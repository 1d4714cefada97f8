"""The audit log: who (identity, key id, certificate), what (method), which resource, outcome (status code),
when and from where (peer), for every call that changes something, every read of content and every refused
call. Never audio, transcripts, request bodies or secrets: only the fields of `AUDIT_FIELDS`, filled by
adapt_server/api/auth.py from the call's metadata and the ids it names.

Tamper-evident: each row's `hash` is HMAC-SHA256(chain key, previous row's hash | seq | the row's fields as
canonical JSON), so editing, deleting, inserting or reordering any row breaks the chain from that row on, and
without the chain key (a file outside the database, `<data-dir>/audit.key`, 0600) nobody can write a chain
that verifies. `verify` names the first bad row. A truncated tail (the newest rows deleted) leaves a valid
chain: the server notices while it runs (it remembers its head), and operators detect it across restarts by
recording the head `verify` prints somewhere else. SQLite triggers refuse UPDATE and DELETE as well.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from adapt_server.errors import InvalidArgument, PermissionDenied
from adapt_server.security.principal import UNAUTHENTICATED_IDENTITY, Principal
from adapt_server.security.scopes import SERVER_ADMIN
from adapt_server.store.pages import page_size
from adapt_server.store.scope import check_project
from adapt_server.store.security import AUDIT_FIELDS, AuditRepository, AuditRow

KEY_BYTES = 32
MAX_FIELD_CHARS = 512  # an audit field is an id, a name or a short reason; longer text is cut


class AuditKeyMissing(RuntimeError):
    """The audit log has rows but its chain key file is gone: nothing could verify them."""


def load_or_create_chain_key(path: Path, log_has_rows: bool) -> bytes:
    """The chain key from `path` (hex), made (0600) on first start. Raises AuditKeyMissing when the log has
    rows but the key is gone (a new key would make every earlier row fail verification)."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    if log_has_rows:
        raise AuditKeyMissing(f"the audit log has rows but its chain key {path} is missing: restore it from your "
                              "backup (or pass --audit-key-file); a new key could not verify the earlier rows")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key.hex() + "\n")
    return key


def chain_hash(key: bytes, previous: str, seq: int, fields: dict) -> str:
    """HMAC-SHA256 of the previous row's hash, this row's sequence number and its fields (canonical JSON)."""
    content = json.dumps([previous, seq, [fields[name] for name in AUDIT_FIELDS]], separators=(",", ":"),
                         ensure_ascii=True)
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


def event_fields(principal: Principal | None, method: str, resource: str, code: str, peer: str,
                 detail: str = "", identity: str = "") -> dict:
    """The row of one call (principal None: the caller was not authenticated; identity overrides)."""
    def short(text: str) -> str:
        return text if len(text) <= MAX_FIELD_CHARS else text[:MAX_FIELD_CHARS] + "..."
    return {"time": time.time(), "project_id": principal.project if principal else "",
            "identity": short(identity or (principal.identity if principal else UNAUTHENTICATED_IDENTITY)),
            "key_id": principal.key_id if principal else "",
            "certificate": short(principal.certificate if principal else ""),
            "method": short(method), "resource": short(resource), "code": code, "peer": short(peer),
            "detail": short(detail)}


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int              # rows checked
    first_bad_sequence: int  # 0 when ok
    reason: str
    head_sequence: int
    head_hash: str


def verify_rows(rows: Iterable[AuditRow], key: bytes, known_head: int = 0) -> Verification:
    """Walks the chain from row 1. known_head: the newest seq this process wrote (0: unknown); a log that
    ends before it lost its tail."""
    previous, expected, count, last = "", 1, 0, None
    for row in rows:
        count += 1
        if row.seq != expected:
            what = "was deleted" if row.seq > expected else "is out of order"
            return Verification(False, count, expected, f"row {expected} {what} (found row {row.seq} next)",
                                row.seq, row.hash)
        if not hmac.compare_digest(chain_hash(key, previous, row.seq, row.fields()), row.hash):
            return Verification(False, count, row.seq, f"row {row.seq} does not match its hash: it was edited "
                                f"(or a row before it was)", row.seq, row.hash)
        previous, expected, last = row.hash, expected + 1, row
    head_seq, head_hash = (last.seq, last.hash) if last else (0, "")
    if known_head > head_seq:
        return Verification(False, count, head_seq + 1, f"rows {head_seq + 1}..{known_head} were deleted (this "
                            "server wrote them)", head_seq, head_hash)
    return Verification(True, count, 0, "", head_seq, head_hash)


class AuditTrail:
    """Server-wide writer of the audit log, thread-safe: one connection (open_repository()) behind a lock;
    remembers the head it wrote so a truncated tail shows while it runs."""

    def __init__(self, open_repository: Callable[[], AuditRepository], key: bytes):
        self._open = open_repository
        self._repository: AuditRepository | None = None
        self._key = key
        self._lock = threading.Lock()
        self.head = 0

    def record(self, fields: dict) -> AuditRow:
        with self._lock:
            if self._repository is None:
                self._repository = self._open()
            row = self._repository.append(fields, lambda previous, seq, f: chain_hash(self._key, previous, seq, f))
            self.head = row.seq
            return row

    def verify(self, repository: AuditRepository) -> Verification:
        return verify_rows(repository.in_order(), self._key, self.head)


class AuditService:
    """The Audit use cases for one caller (free of gRPC)."""

    def __init__(self, repository: AuditRepository, trail: AuditTrail | None):
        self.repository = repository
        self.trail = trail

    def list(self, caller: Principal, since: float | None, project: str, requested_size: int,
             token: str) -> tuple[list[AuditRow], str]:
        if caller.server_admin:
            scope = check_project(project) if project else None
        elif project and project != caller.project:
            raise PermissionDenied(f"a key of project {caller.project!r} reads only its own project's audit events; "
                                   f"other projects need scope {SERVER_ADMIN}")
        else:
            scope = caller.project
        after = _decode_seq(token)
        rows, next_after = self.repository.page(page_size(requested_size), after, since, scope)
        return rows, (str(next_after) if next_after else "")

    def verify(self) -> Verification:
        if self.trail is None:
            raise PermissionDenied("this server keeps no audit chain key")
        return self.trail.verify(self.repository)


def _decode_seq(token: str) -> int:
    if not token:
        return 0
    if not token.isdigit() or len(token) > 19:
        raise InvalidArgument("page_token is not valid: pass the next_page_token of a previous response unchanged")
    return int(token)
