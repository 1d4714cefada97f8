"""adapt.v1.Lineage: thin translation between messages and LineageService (lineage/service.py)."""
from __future__ import annotations

from adapt.v1 import lineage_pb2, lineage_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.lineage.graph import LineageGraph
from adapt_server.lineage.revocation import RevocationResult


def graph_message(graph: LineageGraph) -> lineage_pb2.LineageGraph:
    return lineage_pb2.LineageGraph(
        id=graph.id,
        nodes=[lineage_pb2.LineageNode(id=n.id, kind=n.kind, name=n.name, revoked=n.revoked,
                                       revoked_reason=n.revoked_reason, details=convert.struct(n.details))
               for n in graph.nodes],
        edges=[lineage_pb2.LineageEdge(parent=e.parent, child=e.child, relation=e.relation) for e in graph.edges])


def revocation_message(result: RevocationResult) -> lineage_pb2.RevokeConsentResponse:
    return lineage_pb2.RevokeConsentResponse(
        consent_id=result.consent_id, revoke_time=convert.timestamp(result.revoked_at),
        already_revoked=result.already_revoked, revoked_voices=result.revoked.get("voice", []),
        revoked_models=result.revoked.get("model", []), revoked_datasets=result.revoked.get("dataset", []),
        revoked_fine_tunes=result.revoked.get("fine_tune", []), cancelled_jobs=result.cancelled_jobs,
        deployments=[lineage_pb2.RouteFallback(deployment_id=d.deployment_id, route=d.route, revoked=d.revoked,
                                               fallback=d.fallback, from_revision=d.from_revision,
                                               revision=d.revision) for d in result.deployments])


class LineageServicer(lineage_pb2_grpc.LineageServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def GetLineage(self, request, context):
        return await self.runner.run(lambda s: graph_message(s.lineage.graph(request.id)))

    @handle_errors
    async def RevokeConsent(self, request, context):
        target = request.WhichOneof("target") or ""
        value = getattr(request, target) if target else ""
        return await self.runner.run(lambda s: revocation_message(s.lineage.revoke(
            **({target: value} if target else {}), reason=request.reason)))
