"""Voices, consents, lineage edges and revocations (migration 9) are rows of one project: another project
neither sees them nor is reached by them, even where ids coincide (model ids are chosen per project)."""
from __future__ import annotations

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition
from adapt_server.store.consents import VOICE_CONSENT
from adapt_server.store.lineage import BUILT_FROM, PRODUCED
from adapt_server.store.store import Store


@pytest.fixture
def stores(tmp_path):
    a = Store.open(ServerConfig(data_dir=tmp_path / "data").resolved(), run_migrations=True, project="alpha")
    yield a, a.scoped("beta")
    a.close()


def _voice(store, voice_id: str, request_id: str):
    return store.voices.create(voice_id, "Ana", "ds_1", "ana", {"generations": 1}, {"passed": True}, {},
                               f"consent_{voice_id}", b"signed", request_id, "hash", 3)


def test_a_voice_its_consent_and_its_lineage_stay_in_their_project(stores):
    alpha, beta = stores
    voice, created = _voice(alpha, "voice_a1", "req-1")
    assert created and voice.consent_id == "consent_voice_a1" and voice.job.state == "PENDING"
    assert alpha.consents.get("consent_voice_a1").kind == VOICE_CONSENT
    assert {(e.parent_id, e.relation) for e in alpha.lineage.parents("voice_a1")} == \
        {("consent_voice_a1", "consent"), ("ds_1", BUILT_FROM)}
    assert beta.voices.get("voice_a1") is None and beta.consents.get("consent_voice_a1") is None
    assert beta.lineage.parents("voice_a1") == [] and beta.lineage.kind_of("voice_a1") is None
    assert beta.voices.list_page(10, None)[0] == [] and beta.voices.for_request("req-1") is None
    other, created = _voice(beta, "voice_b1", "req-1")  # the same request id is another project's own
    assert created and other.id == "voice_b1"


def test_a_revocation_reaches_only_its_own_project_even_for_the_same_model_id(stores):
    alpha, beta = stores
    for store in (alpha, beta):
        store.lineage.add_edge("ft-model", "model", "ft_1", "fine_tune", PRODUCED)
    assert alpha.lineage.revoke("ft-model", "model", "consent_x", "talent withdrew", 1.0)
    with pytest.raises(FailedPrecondition, match="model ft-model is revoked: consent consent_x was revoked"):
        alpha.lineage.require_not_revoked("ft-model", "model")
    beta.lineage.require_not_revoked("ft-model", "model")  # beta's model of the same id is untouched
    assert beta.lineage.revoked(["ft-model"]) == {} and beta.lineage.revoked_by("consent_x") == []
    assert [r.resource_id for r in alpha.lineage.revoked_by("consent_x")] == ["ft-model"]
    assert len(beta.lineage.children("ft_1")) == 1  # each project has its own edge


def test_consent_revocation_and_refusals_are_per_project(stores):
    alpha, beta = stores
    _voice(alpha, "voice_a2", None)
    assert not beta.consents.mark_revoked("consent_voice_a2", "no", 2.0)
    assert alpha.consents.mark_revoked("consent_voice_a2", "withdrawn", 2.0)
    assert alpha.consents.get("consent_voice_a2").revoked
    alpha.consents.add_refusal("ds_1", "ana", "ab" * 32, "speaker", 0.31, {"reason": "another speaker"})
    assert [r.failed_check for r in alpha.consents.refusals("ds_1")] == ["speaker"]
    assert beta.consents.refusals("ds_1") == []
