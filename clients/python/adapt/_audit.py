"""client.audit: the server's hash-chained audit log (list, verify)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterator

from google.protobuf import timestamp_pb2

from adapt._resource_api import all_pages
from adapt.v1 import audit_pb2, audit_pb2_grpc


@dataclass(frozen=True)
class AuditEvent:
    sequence: int
    time: datetime
    project: str
    identity: str          # "key:<id>", "cert:<name>", "anonymous", "unauthenticated"
    key_id: str
    certificate: str
    method: str            # e.g. "/adapt.v1.Datasets/CreateDataset"
    resource: str          # the id the call named or created
    code: str              # "OK" or a status name
    peer: str
    detail: str
    hash: str

    @classmethod
    def from_proto(cls, m: audit_pb2.AuditEvent) -> "AuditEvent":
        return cls(m.sequence, m.time.ToDatetime(tzinfo=timezone.utc), m.project, m.identity, m.key_id,
                   m.certificate, m.method, m.resource, m.code, m.peer, m.detail, m.hash)


@dataclass(frozen=True)
class AuditVerification:
    ok: bool
    events: int
    first_bad_sequence: int    # 0 when ok
    reason: str
    head_sequence: int         # record (head_sequence, head_hash) elsewhere to detect a truncated tail later
    head_hash: str


class AuditAPI:
    def __init__(self, client):
        self._client = client
        self._stub = audit_pb2_grpc.AuditStub(client._channel)

    def list(self, since: datetime | None = None, project: str = "") -> Iterator[AuditEvent]:
        """Events oldest first (since: a timezone-aware datetime; project: a server admin's filter)."""
        ts = None
        if since is not None:
            ts = timestamp_pb2.Timestamp()
            ts.FromDatetime(since.astimezone(timezone.utc).replace(tzinfo=None))

        def page(token: str):
            response = self._client._rpc.unary(self._stub.ListAuditEvents, audit_pb2.ListAuditEventsRequest(
                since=ts, project=project, page_token=token))
            return [AuditEvent.from_proto(e) for e in response.events], response.next_page_token
        return all_pages(page)

    def verify(self) -> AuditVerification:
        m = self._client._rpc.unary(self._stub.VerifyAuditLog, audit_pb2.VerifyAuditLogRequest(), timeout=600)
        return AuditVerification(m.ok, m.events, m.first_bad_sequence, m.reason, m.head_sequence, m.head_hash)
