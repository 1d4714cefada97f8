"""adapt.v1.Audit: thin translation between messages and the audit use cases (security/audit.py)."""
from __future__ import annotations

from adapt.v1 import audit_pb2, audit_pb2_grpc
from adapt_server.api.context import ServiceRunner
from adapt_server.api.convert import timestamp
from adapt_server.api.identity import current_principal
from adapt_server.api.status import handle_errors
from adapt_server.store.security import AuditRow


def event_message(row: AuditRow) -> audit_pb2.AuditEvent:
    return audit_pb2.AuditEvent(sequence=row.seq, time=timestamp(row.time), project=row.project_id,
                                identity=row.identity, key_id=row.key_id, certificate=row.certificate,
                                method=row.method, resource=row.resource, code=row.code, peer=row.peer,
                                detail=row.detail, hash=row.hash)


class AuditServicer(audit_pb2_grpc.AuditServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def ListAuditEvents(self, request, context):
        caller = current_principal()
        since = request.since.ToNanoseconds() / 1e9 if request.HasField("since") else None
        items, token = await self.runner.page(
            lambda s, size: s.audit.list(caller, since, request.project, size, request.page_token),
            request.page_size, lambda s, row: event_message(row))
        return audit_pb2.ListAuditEventsResponse(events=items, next_page_token=token)

    @handle_errors
    async def VerifyAuditLog(self, request, context):
        result = await self.runner.run(lambda s: s.audit.verify())
        return audit_pb2.VerifyAuditLogResponse(
            ok=result.ok, events=result.events, first_bad_sequence=result.first_bad_sequence, reason=result.reason,
            head_sequence=result.head_sequence, head_hash=result.head_hash)
