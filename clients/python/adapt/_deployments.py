"""client.deployments: create, get, list, update (promote, canary), rollback, delete.

`update` on an id that does not exist yet creates the deployment, so the docs' one-liner works on a fresh
server: client.deployments.update(deployment_id="prod-voice", routes={"stt": tuned.model_id}).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from adapt._resource_api import ResourceAPI
from adapt.errors import InvalidArgumentError
from adapt.resources import Resource, State, _time
from adapt.v1 import deployments_pb2, deployments_pb2_grpc


@dataclass(frozen=True)
class Canary:
    route: str
    model: str
    percent: float


@dataclass(frozen=True)
class DeploymentRevision:
    revision: int
    action: str                 # "create", "update", "rollback"
    routes: dict
    canary: Canary | None
    forced: bool                # promoted past failed validation gates
    note: str
    created_at: datetime | None
    parent: int                 # the revision a rollback from this one returns to (0: none)


def _canary(m, has: bool) -> Canary | None:
    return Canary(m.route, m.model, m.percent) if has else None


@dataclass(eq=False)
class Deployment(Resource):
    id: str = ""
    routes: dict = field(default_factory=dict)        # {"stt": model_id}
    canary: Canary | None = None
    revision: int = 0
    history: tuple[DeploymentRevision, ...] = ()      # oldest first
    description: str = ""
    labels: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    state: State = State.SUCCEEDED                    # a deployment is live as soon as it exists
    _api: object = field(default=None, repr=False)

    def _update(self, m) -> None:
        self.id, self.routes, self.revision = m.id, dict(m.routes), m.revision
        self.canary = _canary(m.canary, m.HasField("canary"))
        self.history = tuple(DeploymentRevision(r.revision, r.action, dict(r.routes),
                                                _canary(r.canary, r.HasField("canary")), r.forced, r.note,
                                                _time(r.create_time), r.parent) for r in m.history)
        self.description, self.labels = m.description, dict(m.labels)
        self.created_at, self.updated_at = _time(m.create_time), _time(m.update_time)

    def refresh(self) -> "Deployment":
        return self._api.get(self.id)

    def update(self, routes: dict | None = None, canary: dict | None = None, force: bool = False) -> "Deployment":
        return self._api.update(self.id, routes=routes, canary=canary, force=force)

    def rollback(self, revision: int = 0) -> "Deployment":
        return self._api.rollback(self.id, revision)


def _canary_message(canary: dict | None) -> deployments_pb2.Canary | None:
    if canary is None:
        return None
    if not isinstance(canary, dict):
        raise InvalidArgumentError("canary must be a dict like {'model': 'ft:...', 'percent': 10}")
    unknown = sorted(set(canary) - {"model", "percent", "route"})
    if unknown:
        raise InvalidArgumentError(f"canary: unknown fields {unknown}; use model, percent and route")
    try:
        percent = float(canary.get("percent", 0))
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"canary.percent must be a number, got {canary.get('percent')!r}") from None
    return deployments_pb2.Canary(route=str(canary.get("route", "")), model=str(canary.get("model", "")),
                                  percent=percent)


def _routes(routes: dict | None) -> dict[str, str]:
    routes = dict(routes or {})
    for name, model in routes.items():
        if not isinstance(model, str):
            raise InvalidArgumentError(f"routes[{name!r}] must be a model id string, got {type(model).__name__}")
    return routes


class DeploymentsAPI(ResourceAPI[Deployment]):
    """Deployments: get, list_page and list come from ResourceAPI."""
    resource_type, stub_type, messages = Deployment, deployments_pb2_grpc.DeploymentsStub, deployments_pb2
    name = "Deployment"

    def create(self, deployment_id: str, routes: dict, canary: dict | None = None, force: bool = False,
               description: str = "", labels: dict[str, str] | None = None) -> Deployment:
        """Creates a deployment; AlreadyExistsError when the id is taken (use update)."""
        request = deployments_pb2.CreateDeploymentRequest(
            deployment_id=deployment_id, routes=_routes(routes), canary=_canary_message(canary), force=force,
            description=description, labels=labels or {})
        return self._resource(self._call("CreateDeployment", request))

    def update(self, deployment_id: str, routes: dict | None = None, canary: dict | None = None,
               force: bool = False, description: str = "", labels: dict[str, str] | None = None) -> Deployment:
        """Points routes at models (creating the deployment when the id is new).

        routes: {"stt": model_id} replaces those routes; canary: {"model": m2, "percent": 10} sends that share
        of requests to m2 (None: no canary). A model whose latest validation failed its gates needs
        force=True, else FailedPreconditionError lists the failed gates."""
        request = deployments_pb2.UpdateDeploymentRequest(
            deployment_id=deployment_id, routes=_routes(routes), canary=_canary_message(canary), force=force,
            description=description, labels=labels or {})
        return self._resource(self._call("UpdateDeployment", request))

    def rollback(self, deployment_id: str, revision: int = 0) -> Deployment:
        """Back to the routes before the active revision (or to `revision`); recorded in the history."""
        return self._resource(self._call("RollbackDeployment", deployments_pb2.RollbackDeploymentRequest(
            deployment_id=deployment_id, revision=revision)))

    def history(self, deployment_id: str) -> tuple[DeploymentRevision, ...]:
        return self.get(deployment_id).history

    def delete(self, deployment_id: str) -> None:
        self._call("DeleteDeployment", deployments_pb2.DeleteDeploymentRequest(id=deployment_id))
