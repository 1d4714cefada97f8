"""adapt.v1.Deployments: thin translation between messages and DeploymentService."""
from __future__ import annotations

from adapt.v1 import deployments_pb2, deployments_pb2_grpc
from adapt_server.api.context import ServiceRunner
from adapt_server.api.convert import timestamp
from adapt_server.api.status import handle_errors
from adapt_server.store.deployments import Canary, Deployment, Revision


def canary_from_proto(request) -> dict | None:
    if not request.HasField("canary"):
        return None
    c = request.canary
    return {"route": c.route or "stt", "model": c.model, "percent": c.percent}


def _canary(c: Canary | None) -> deployments_pb2.Canary | None:
    return deployments_pb2.Canary(route=c.route, model=c.model, percent=c.percent) if c else None


def _revision(r: Revision) -> deployments_pb2.DeploymentRevision:
    return deployments_pb2.DeploymentRevision(
        revision=r.revision, action=r.action, routes=r.routes, canary=_canary(r.canary), forced=r.forced,
        note=r.note, create_time=timestamp(r.created_at), parent=r.parent or 0)


def deployment_message(s, d: Deployment) -> deployments_pb2.Deployment:
    """The Deployment message with its history (s: this thread's Services)."""
    history = s.deployments.history(d.id)
    return deployments_pb2.Deployment(
        id=d.id, routes=d.routes, canary=_canary(d.canary), revision=d.revision,
        history=[_revision(r) for r in history], description=d.description, labels=d.labels,
        create_time=timestamp(d.created_at), update_time=timestamp(d.updated_at))


class DeploymentsServicer(deployments_pb2_grpc.DeploymentsServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    async def _call(self, fn) -> deployments_pb2.Deployment:
        """Runs fn(DeploymentService) -> Deployment off the loop; returns it with its history."""
        return await self.runner.run(lambda s: deployment_message(s, fn(s.deployments)))

    @handle_errors
    async def CreateDeployment(self, request, context):
        return await self._call(lambda d: d.create(
            request.deployment_id, dict(request.routes), canary_from_proto(request), request.force,
            request.description, dict(request.labels)))

    @handle_errors
    async def GetDeployment(self, request, context):
        return await self._call(lambda d: d.get(request.id))

    @handle_errors
    async def ListDeployments(self, request, context):
        items, token = await self.runner.page(lambda s, size: s.deployments.list(size, request.page_token),
                                              request.page_size, deployment_message)
        return deployments_pb2.ListDeploymentsResponse(deployments=items, next_page_token=token)

    @handle_errors
    async def UpdateDeployment(self, request, context):
        return await self._call(lambda d: d.update(
            request.deployment_id, dict(request.routes), canary_from_proto(request), request.force,
            request.description or None, dict(request.labels) or None))

    @handle_errors
    async def RollbackDeployment(self, request, context):
        return await self._call(lambda d: d.rollback(request.deployment_id, request.revision))

    @handle_errors
    async def DeleteDeployment(self, request, context):
        await self.runner.run(lambda s: s.deployments.delete(request.id))
        return deployments_pb2.DeleteDeploymentResponse(id=request.id)
