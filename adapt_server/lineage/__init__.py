"""Lineage and revocation for all data: what every dataset, fine-tune, model, voice and deployment derives from
(graph.py: GetLineage), and the revocation of a consent with its effects on everything made from it
(revocation.py: RevokeConsent). The edges and revocations are rows of store/lineage.py; who writes them:
dataset creation with a provenance, fine-tune creation and registration, voice creation."""
