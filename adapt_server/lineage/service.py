"""The Lineage use cases the API calls (GetLineage, RevokeConsent), and what other resources read of it (a
dataset's provenance). Free of gRPC."""
from __future__ import annotations

import json
from dataclasses import dataclass

from adapt_server.deploy.service import DeploymentService
from adapt_server.lineage.graph import LineageGraph, lineage_graph
from adapt_server.lineage.revocation import RevocationResult, revoke_consent
from adapt_server.store.consents import DATASET_PROVENANCE


@dataclass(frozen=True)
class ProvenanceView:
    """A dataset's provenance as GetDataset shows it."""
    consent_id: str
    fields: dict               # lineage/provenance.py FIELDS
    revoked_at: float | None
    revoked_reason: str


class LineageService:
    def __init__(self, store, deployments: DeploymentService):
        self.store = store
        self.deployments = deployments

    def graph(self, resource_id: str) -> LineageGraph:
        return lineage_graph(self.store, resource_id)

    def revoke(self, consent_id: str = "", voice_id: str = "", dataset_id: str = "", reason: str = ""
               ) -> RevocationResult:
        return revoke_consent(self.store, self.deployments, consent_id, voice_id, dataset_id, reason)

    def provenance(self, dataset_id: str) -> ProvenanceView | None:
        row = self.store.consents.for_subject(dataset_id, DATASET_PROVENANCE)
        if row is None:
            return None
        return ProvenanceView(row.id, json.loads(row.record.decode("utf-8")), row.revoked_at, row.revoked_reason)
