"""RevokeConsent: a consent (a voice's signed consent, or a dataset's provenance) is withdrawn, and everything
made from it stops being usable.

1. Everything reachable from the consent through the lineage edges is marked revoked, with the consent in one
   transaction: the voice it covers or the dataset it declares, the fine-tunes trained on that dataset (or
   mixing it in), their models, fine-tunes of those models and theirs, and voices built from the dataset.
2. Voice builds and fine-tunes of those still queued or running are cancelled (a fine-tune that finishes
   anyway registers nothing: finetunes/registration.py; a voice build publishes nothing: voices/job.py).
3. Every deployment route or canary serving a revoked model or voice falls back (deploy/fallback.py).

From then on synthesis with a revoked voice, transcription with a revoked model, promoting either, and new
fine-tunes or voices from a revoked dataset answer FAILED_PRECONDITION naming the revocation. Revoking an
already revoked consent changes nothing and returns what the first revocation reached.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from adapt_server.deploy.service import DeploymentService
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound
from adapt_server.store.consents import DATASET_PROVENANCE, VOICE_CONSENT, ConsentRow
from adapt_server.store.db import transaction

MAX_REASON_CHARS = 1000
REVOCABLE_KINDS = ("dataset", "fine_tune", "model", "voice")


@dataclass(frozen=True)
class RouteFallbackResult:
    deployment_id: str
    route: str
    revoked: str
    fallback: str
    from_revision: int
    revision: int


@dataclass(frozen=True)
class RevocationResult:
    consent_id: str
    revoked_at: float
    already_revoked: bool
    revoked: dict[str, list[str]]          # kind -> ids ("voice", "model", "dataset", "fine_tune")
    cancelled_jobs: list[str]              # resource ids whose job was cancelled
    deployments: list[RouteFallbackResult]


def _consent(store, consent_id: str, voice_id: str, dataset_id: str) -> ConsentRow:
    if sum(bool(x) for x in (consent_id, voice_id, dataset_id)) != 1:
        raise InvalidArgument("name what to revoke: consent_id, voice_id or dataset_id (one of them)")
    if voice_id:
        voice = store.voices.get(voice_id)
        if voice is None:
            raise NotFound(f"voice {voice_id!r} does not exist (stock voices have no consent to revoke)")
        consent_id = voice.consent_id
    if dataset_id:
        row = store.consents.for_subject(dataset_id, DATASET_PROVENANCE)
        if row is None:
            what = "does not exist" if store.datasets.get(dataset_id) is None else "has no provenance record"
            raise NotFound(f"dataset {dataset_id!r} {what}: only a dataset created with a provenance can have it "
                           "revoked")
        return row
    row = store.consents.get(consent_id)
    if row is None:
        raise NotFound(f"consent {consent_id!r} does not exist; GetVoice (consent_record_id) and GetDataset "
                       "(provenance.consent_id) name them")
    return row


def dependents(store, consent_id: str) -> list[tuple[str, str]]:
    """(id, kind) of everything derived from the consent, breadth first."""
    found: dict[str, str] = {}
    frontier = [consent_id]
    while frontier:
        item = frontier.pop(0)
        for edge in store.lineage.children(item):
            if edge.child_kind in REVOCABLE_KINDS and edge.child_id not in found:
                found[edge.child_id] = edge.child_kind
                frontier.append(edge.child_id)
    return list(found.items())


def revoke_consent(store, deployments: DeploymentService, consent_id: str = "", voice_id: str = "",
                   dataset_id: str = "", reason: str = "") -> RevocationResult:
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidArgument(f"reason has {len(reason)} characters; the limit is {MAX_REASON_CHARS}")
    consent = _consent(store, consent_id, voice_id, dataset_id)
    if consent.kind not in (VOICE_CONSENT, DATASET_PROVENANCE):
        raise FailedPrecondition(f"consent {consent.id} is of an unknown kind {consent.kind!r}")
    reached = dependents(store, consent.id)
    now = time.time()
    with transaction(store.db):
        fresh = store.consents.mark_revoked(consent.id, reason, now)
        for resource_id, kind in reached:
            store.lineage.revoke(resource_id, kind, consent.id, reason, now)
    if not fresh:
        now = store.consents.get(consent.id).revoked_at
    cancelled = []
    for resource_id, kind in reached:
        if kind in ("voice", "fine_tune"):
            job = store.jobs.for_resource(resource_id)
            if job is not None and not job.terminal:
                store.jobs.request_cancel(job.id)
                cancelled.append(resource_id)
    revoked_targets = {resource_id for resource_id, kind in reached if kind in ("model", "voice")}
    changes = deployments.apply_revocation(revoked_targets, consent.id) if revoked_targets else []
    by_kind: dict[str, list[str]] = {kind: [] for kind in REVOCABLE_KINDS}
    for revocation in store.lineage.revoked_by(consent.id):
        by_kind.setdefault(revocation.resource_kind, []).append(revocation.resource_id)
    return RevocationResult(
        consent_id=consent.id, revoked_at=now, already_revoked=not fresh,
        revoked={kind: sorted(ids) for kind, ids in by_kind.items()}, cancelled_jobs=cancelled,
        deployments=[RouteFallbackResult(d.id, c.route, c.revoked, c.fallback, c.from_revision, d.revision)
                     for d, c in changes])
