"""RevokeConsent on a real store, on the model side: a dataset's provenance is withdrawn, and the fine-tune
trained on it, the model it produced and the deployment serving that model are reached (the voice side runs
over gRPC in tests/e2e/test_voices.py)."""
from __future__ import annotations

import time

import pytest

from adapt_server.config import ServerConfig
from adapt_server.deploy.service import DeploymentService
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound
from adapt_server.lineage.provenance import check_provenance, provenance_record
from adapt_server.lineage.service import LineageService
from adapt_server.models.service import ModelService
from adapt_server.store.consents import new_consent_id
from adapt_server.store.lineage import BASE_MODEL, PRODUCED, TRAINED_ON
from adapt_server.store.models import ModelRecord
from adapt_server.store.store import Store

BASE, TUNED = "whisper-tiny.en", "ft:whisper-tiny.en:abc123"
PROVENANCE = {"consent_basis": "consent", "jurisdictions": ["DE"], "collection_start": "2026-01-05",
              "collection_end": "2026-02-27", "document_sha256": "cd" * 32}


@pytest.fixture
def store(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    s = Store.open(config, run_migrations=True)
    base = ModelService(config, s).register_bundled()
    s.models.upsert(ModelRecord(id=TUNED, kind="FINE_TUNED", family="whisper", format="ctranslate2", path=base.path,
                                base_model=BASE, multilingual=False, n_mels=80, size_bytes=base.size_bytes,
                                sha256="", created_at=time.time()))
    yield s
    s.close()


@pytest.fixture
def chain(store):
    """dataset (with provenance) -> fine-tune ft_1 -> model TUNED, as CreateFineTune and its registration write it."""
    consent_id = new_consent_id()
    dataset, _ = store.datasets.create("calls-de", {"sources": [], "pipeline": [], "labels": {}}, None, "h", 3,
                                       (consent_id, provenance_record(check_provenance(PROVENANCE))))
    store.lineage.add_edge("ft_1", "fine_tune", dataset.id, "dataset", TRAINED_ON)
    store.lineage.add_edge("ft_1", "fine_tune", BASE, "model", BASE_MODEL)
    store.lineage.add_edge(TUNED, "model", "ft_1", "fine_tune", PRODUCED)
    return dataset, consent_id


def test_revoking_a_dataset_provenance_reaches_its_model_and_moves_the_deployment_back(store, chain):
    dataset, consent_id = chain
    deployments = DeploymentService(store)
    deployments.update("prod", {"stt": BASE})
    deployments.update("prod", {"stt": TUNED})
    lineage = LineageService(store, deployments)
    result = lineage.revoke(dataset_id=dataset.id, reason="recordings lacked a release")
    assert (result.consent_id, result.already_revoked) == (consent_id, False)
    assert result.revoked["dataset"] == [dataset.id] and result.revoked["fine_tune"] == ["ft_1"]
    assert result.revoked["model"] == [TUNED] and result.revoked["voice"] == []
    [moved] = result.deployments
    assert (moved.deployment_id, moved.route, moved.revoked, moved.fallback, moved.from_revision, moved.revision) \
        == ("prod", "stt", TUNED, BASE, 1, 3)
    assert deployments.resolve("prod") == BASE and store.lineage.revocation(BASE) is None
    with pytest.raises(FailedPrecondition, match=f"model {TUNED} is revoked: consent {consent_id} was revoked on "
                                                 r".*\(recordings lacked a release\)"):
        deployments.update("prod", {"stt": TUNED}, force=True)
    with pytest.raises(FailedPrecondition, match="revoked since"):
        deployments.rollback("prod")
    assert lineage.provenance(dataset.id).revoked_reason == "recordings lacked a release"
    again = lineage.revoke(consent_id)
    assert again.already_revoked and again.revoked["model"] == [TUNED] and again.deployments == []


def test_the_graph_runs_from_the_consent_to_the_model_and_marks_what_was_revoked(store, chain):
    dataset, consent_id = chain
    lineage = LineageService(store, DeploymentService(store))
    graph = lineage.graph(TUNED)
    kinds = {n.id: n.kind for n in graph.nodes}
    assert kinds[consent_id] == "consent" and kinds[dataset.id] == "dataset" and kinds["ft_1"] == "fine_tune"
    assert kinds[TUNED] == "model" and kinds[BASE] == "model"
    assert {(e.parent, e.child, e.relation) for e in graph.edges} >= {
        (consent_id, dataset.id, "provenance"), (dataset.id, "ft_1", TRAINED_ON), ("ft_1", TUNED, PRODUCED)}
    lineage.revoke(consent_id, reason="withdrawn")
    revoked = {n.id for n in lineage.graph(TUNED).nodes if n.revoked}
    assert revoked == {consent_id, dataset.id, "ft_1", TUNED}


def test_bad_revocations_say_what_to_name(store, chain):
    lineage = LineageService(store, DeploymentService(store))
    with pytest.raises(InvalidArgument, match="one of them"):
        lineage.revoke()
    with pytest.raises(NotFound, match="consent 'consent_none' does not exist"):
        lineage.revoke("consent_none")
    with pytest.raises(InvalidArgument, match="the limit is 1000"):
        lineage.revoke(chain[1], reason="x" * 1001)
