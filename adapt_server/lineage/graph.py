"""GetLineage: the chain of a resource from the audio (consents, datasets and their recordings) through fine-tunes,
models and voices to the deployments that serve them.

Edges come from store/lineage.py (written when the resources were made); a deployment's edges are its active
routes and canary, read when asked. Every node says whether it is revoked. Resources deleted since keep their
place in the chain (their edges outlive them), named "(deleted)".
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from adapt_server.errors import NotFound
from adapt_server.store.consents import VOICE_CONSENT
from adapt_server.tts import catalog

SERVES = {"stt": "serves_stt", "tts": "serves_tts"}  # route -> relation of a route target to its deployment
CANARY = "canary"
MAX_NODES = 500  # a lineage larger than this is cut (every model of a long fine-tune chain, say)


@dataclass(frozen=True)
class Node:
    id: str
    kind: str                  # consent | dataset | fine_tune | model | voice | deployment
    name: str
    revoked: bool = False
    revoked_reason: str = ""
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class GraphEdge:
    parent: str
    child: str
    relation: str


@dataclass(frozen=True)
class LineageGraph:
    id: str
    nodes: tuple[Node, ...]    # the resource first, then ancestors and descendants as found
    edges: tuple[GraphEdge, ...]


def kind_of(store, resource_id: str) -> str | None:
    """What `resource_id` names, or None when nothing does."""
    if store.consents.get(resource_id) is not None:
        return "consent"
    if store.datasets.get(resource_id) is not None:
        return "dataset"
    if store.fine_tunes.get(resource_id) is not None:
        return "fine_tune"
    if store.models.get(resource_id) is not None:
        return "model"
    if resource_id in catalog.stock_voice_ids() or store.voices.get(resource_id) is not None:
        return "voice"
    if store.deployments.get(resource_id) is not None:
        return "deployment"
    return store.lineage.kind_of(resource_id)


def node(store, resource_id: str, kind: str) -> Node:
    """The node of one resource, with what people need to recognise it."""
    revocation = store.lineage.revocation(resource_id)
    revoked = {"revoked": revocation is not None,
               "revoked_reason": revocation.describe() if revocation is not None else ""}
    if kind == "consent":
        row = store.consents.get(resource_id)
        if row is None:
            return Node(resource_id, kind, "(deleted)", **revoked)
        data = json.loads(row.record.decode("utf-8"))
        details = data.get("record", {}) if row.kind == VOICE_CONSENT else data
        details = {k: v for k, v in details.items() if k != "key_id"}
        name = (f"consent of {details.get('talent_name')} for {details.get('company')}" if row.kind == VOICE_CONSENT
                else f"provenance: {details.get('consent_basis')} in {', '.join(details.get('jurisdictions', []))}")
        return Node(resource_id, kind, name, revoked=row.revoked,
                    revoked_reason=row.revoked_reason if row.revoked else "",
                    details={**details, "kind": row.kind, "sha256": row.sha256})
    if kind == "dataset":
        dataset = store.datasets.get(resource_id)
        if dataset is None:
            return Node(resource_id, kind, "(deleted)", **revoked)
        return Node(resource_id, kind, dataset.name, **revoked, details={
            "recordings": dataset.stats.get("recordings", 0), "hours": dataset.stats.get("hours", 0.0),
            "content_sha256": store.datasets.content_sha256(resource_id),
            "sources": [source["uri"] for source in dataset.spec.get("sources", [])]})
    if kind == "fine_tune":
        fine_tune = store.fine_tunes.get(resource_id)
        if fine_tune is None:
            return Node(resource_id, kind, "(deleted)", **revoked)
        return Node(resource_id, kind, f"fine-tune of {fine_tune.base_model}", **revoked, details={
            "state": fine_tune.job.state, "base_model": fine_tune.base_model, "model_id": fine_tune.model_id})
    if kind == "model":
        model = store.models.get(resource_id)
        if model is None:
            return Node(resource_id, kind, "(deleted)", **revoked)
        return Node(resource_id, kind, model.description or model.id, **revoked, details={
            "kind": model.kind, "family": model.family, "sha256": model.sha256,
            **({"source": model.lineage["source"]} if "source" in model.lineage else {})})
    if kind == "voice":
        if resource_id in catalog.stock_voice_ids():
            info = catalog.stock_info(resource_id)
            return Node(resource_id, kind, info.description, details={"stock": True, "weights": info.weights,
                                                                      "license": info.license})
        voice = store.voices.get(resource_id)
        if voice is None:
            return Node(resource_id, kind, "(deleted)", **revoked)
        return Node(resource_id, kind, voice.name, **revoked, details={
            "state": voice.job.state, "speaker": voice.speaker, "stock": False, "pack_sha256": voice.pack_sha256})
    if kind == "deployment":
        deployment = store.deployments.get(resource_id)
        if deployment is None:
            return Node(resource_id, kind, "(deleted)")
        return Node(resource_id, kind, deployment.description or resource_id,
                    details={"revision": deployment.revision, "routes": deployment.routes})
    return Node(resource_id, kind, resource_id, **revoked)


def _deployment_parents(store, deployment_id: str) -> list[GraphEdge]:
    deployment = store.deployments.get(deployment_id)
    if deployment is None:
        return []
    edges = [GraphEdge(target, deployment_id, SERVES.get(route, route)) for route, target in
             sorted(deployment.routes.items())]
    if deployment.canary is not None:
        edges.append(GraphEdge(deployment.canary.model, deployment_id, CANARY))
    return edges


def _kind_of_target(store, target: str) -> str:
    return "voice" if target in catalog.stock_voice_ids() or store.voices.get(target) is not None else "model"


def lineage_graph(store, resource_id: str) -> LineageGraph:
    """`resource_id` with everything it derives from and everything derived from it (NotFound: unknown id)."""
    kind = kind_of(store, resource_id) if resource_id else None
    if kind is None:
        raise NotFound(f"no dataset, fine-tune, model, voice, deployment or consent has the id {resource_id!r}")
    kinds = {resource_id: kind}
    edges: dict[tuple[str, str, str], GraphEdge] = {}

    def parents(item: str) -> list[tuple[str, str]]:
        if kinds[item] == "deployment":
            found = _deployment_parents(store, item)
            for edge in found:
                edges[(edge.parent, edge.child, edge.relation)] = edge
            return [(edge.parent, _kind_of_target(store, edge.parent)) for edge in found]
        out = []
        for edge in store.lineage.parents(item):
            edges[(edge.parent_id, edge.child_id, edge.relation)] = GraphEdge(edge.parent_id, edge.child_id,
                                                                              edge.relation)
            out.append((edge.parent_id, edge.parent_kind))
        return out

    def children(item: str) -> list[tuple[str, str]]:
        out = []
        for edge in store.lineage.children(item):
            edges[(edge.parent_id, edge.child_id, edge.relation)] = GraphEdge(edge.parent_id, edge.child_id,
                                                                              edge.relation)
            out.append((edge.child_id, edge.child_kind))
        if kinds[item] in ("model", "voice"):
            for deployment_id in store.deployments.using_model(item):
                for edge in _deployment_parents(store, deployment_id):
                    if edge.parent == item:
                        edges[(edge.parent, edge.child, edge.relation)] = edge
                out.append((deployment_id, "deployment"))
        return out

    for walk in (parents, children):
        frontier = [resource_id]
        seen = {resource_id}
        while frontier and len(kinds) < MAX_NODES:
            item = frontier.pop(0)
            for other, other_kind in walk(item):
                kinds.setdefault(other, other_kind)
                if other not in seen:
                    seen.add(other)
                    frontier.append(other)
    nodes = tuple(node(store, item, item_kind) for item, item_kind in kinds.items())
    return LineageGraph(resource_id, nodes, tuple(edges.values()))
