"""client.lineage: what a dataset, fine-tune, model, voice or deployment derives from and what derives from it,
and revoking a consent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from google.protobuf import json_format

from adapt.errors import InvalidArgumentError
from adapt.resources import _time
from adapt.v1 import lineage_pb2, lineage_pb2_grpc

KIND_ORDER = ("consent", "dataset", "fine_tune", "model", "voice", "deployment")  # from the audio to serving


@dataclass(frozen=True)
class LineageNode:
    id: str
    kind: str
    name: str
    revoked: bool
    revoked_reason: str
    details: dict


@dataclass(frozen=True)
class LineageEdge:
    parent: str
    child: str
    relation: str


@dataclass(frozen=True)
class Lineage:
    id: str
    nodes: tuple[LineageNode, ...]
    edges: tuple[LineageEdge, ...]

    def node(self, node_id: str) -> LineageNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    def chain(self) -> list[str]:
        """Readable lines from the audio to the deployments: each node (by kind, in order), with what it derives
        from."""
        lines = []
        for node in sorted(self.nodes, key=lambda n: (KIND_ORDER.index(n.kind) if n.kind in KIND_ORDER else 99,
                                                      n.id)):
            parents = [f"{e.relation} {e.parent}" for e in self.edges if e.child == node.id]
            mark = "  REVOKED: " + node.revoked_reason if node.revoked else ""
            here = " <-- asked" if node.id == self.id else ""
            lines.append(f"{node.kind:<10} {node.id}  {node.name}{mark}{here}")
            lines += [f"{'':<10}   <- {p}" for p in parents]
        return lines


@dataclass(frozen=True)
class RouteFallback:
    deployment_id: str
    route: str
    revoked: str
    fallback: str            # "" : the route was removed
    from_revision: int
    revision: int


@dataclass(frozen=True)
class Revocation:
    consent_id: str
    revoked_at: datetime | None
    already_revoked: bool
    voices: tuple[str, ...]
    models: tuple[str, ...]
    datasets: tuple[str, ...]
    fine_tunes: tuple[str, ...]
    cancelled_jobs: tuple[str, ...]
    deployments: tuple[RouteFallback, ...]


class LineageAPI:
    def __init__(self, client):
        self._rpc = client._rpc
        self._stub = lineage_pb2_grpc.LineageStub(client._rpc.channel)

    def get(self, resource_id: str) -> Lineage:
        m = self._rpc.unary(self._stub.GetLineage, lineage_pb2.GetLineageRequest(id=resource_id))
        return Lineage(m.id, tuple(LineageNode(n.id, n.kind, n.name, n.revoked, n.revoked_reason,
                                               json_format.MessageToDict(n.details)) for n in m.nodes),
                       tuple(LineageEdge(e.parent, e.child, e.relation) for e in m.edges))

    def revoke_consent(self, consent_id: str = "", *, voice_id: str = "", dataset_id: str = "",
                       reason: str = "") -> Revocation:
        """Revokes a consent (by its id, the voice's, or the dataset's provenance): every voice and model made
        from it stops being usable; returns what was revoked and how deployments fell back."""
        given = {k: v for k, v in (("consent_id", consent_id), ("voice_id", voice_id), ("dataset_id", dataset_id))
                 if v}
        if len(given) != 1:
            raise InvalidArgumentError("name one of consent_id, voice_id or dataset_id")
        m = self._rpc.unary(self._stub.RevokeConsent, lineage_pb2.RevokeConsentRequest(**given, reason=reason))
        return Revocation(m.consent_id, _time(m.revoke_time), m.already_revoked, tuple(m.revoked_voices),
                          tuple(m.revoked_models), tuple(m.revoked_datasets), tuple(m.revoked_fine_tunes),
                          tuple(m.cancelled_jobs),
                          tuple(RouteFallback(d.deployment_id, d.route, d.revoked, d.fallback, d.from_revision,
                                              d.revision) for d in m.deployments))
