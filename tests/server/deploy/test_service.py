"""DeploymentService on a real SQLite store: create-on-update, history, rollback, canary, bad input."""
from __future__ import annotations

import pytest

from adapt_server.deploy.service import DeploymentService
from adapt_server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound

BASE, COPY = "whisper-tiny.en", "tiny-copy"


@pytest.fixture
def deployments(store):
    return DeploymentService(store)


def test_a_first_update_creates_the_deployment(deployments):
    d = deployments.update("prod-voice", {"stt": BASE})
    assert (d.id, d.routes, d.revision, d.canary) == ("prod-voice", {"stt": BASE}, 1, None)
    assert [r.action for r in deployments.history("prod-voice")] == ["create"]


def test_create_refuses_an_existing_id(deployments):
    deployments.create("prod", {"stt": BASE})
    with pytest.raises(AlreadyExists, match="update"):
        deployments.create("prod", {"stt": COPY})


def test_history_and_rollback_walk_back(deployments):
    deployments.update("prod", {"stt": BASE})
    deployments.update("prod", {"stt": COPY})
    assert deployments.resolve("prod") == COPY
    back = deployments.rollback("prod")
    assert back.routes == {"stt": BASE} and back.revision == 3
    assert deployments.resolve("prod") == BASE
    history = deployments.history("prod")
    assert [(r.revision, r.action, r.routes["stt"]) for r in history] == [
        (1, "create", BASE), (2, "update", COPY), (3, "rollback", BASE)]
    assert history[-1].note == "rolled back to revision 1"
    with pytest.raises(FailedPrecondition, match="nothing earlier"):
        deployments.rollback("prod")


def test_rollback_to_an_explicit_revision(deployments):
    deployments.update("prod", {"stt": BASE})
    deployments.update("prod", {"stt": COPY})
    deployments.update("prod", {"stt": BASE}, canary={"model": COPY, "percent": 10})
    d = deployments.rollback("prod", to_revision=2)
    assert d.routes == {"stt": COPY} and d.canary is None
    with pytest.raises(NotFound, match="no revision 9"):
        deployments.rollback("prod", to_revision=9)


def test_canary_is_stored_and_cleared_by_the_next_update(deployments):
    d = deployments.update("prod", {"stt": BASE}, canary={"model": COPY, "percent": 10})
    assert (d.canary.model, d.canary.percent, d.canary.route) == (COPY, 10.0, "stt")
    assert deployments.update("prod", {"stt": COPY}).canary is None


def test_update_keeps_the_routes_it_does_not_name(deployments):
    deployments.update("prod", {"stt": BASE})
    assert deployments.update("prod", {}, canary={"model": COPY, "percent": 5}).routes == {"stt": BASE}


@pytest.mark.parametrize("routes, canary, error, text", [
    ({"stt": "nope"}, None, NotFound, "model 'nope' does not exist"),
    ({"translate": BASE}, None, InvalidArgument, "unknown route 'translate'"),
    ({"stt": BASE}, {"model": COPY, "percent": 0}, InvalidArgument, "between 0 and 100"),
    ({"stt": BASE}, {"model": COPY, "percent": 100}, InvalidArgument, "between 0 and 100"),
    ({"stt": BASE}, {"model": BASE, "percent": 10}, InvalidArgument, "different"),
    ({"stt": BASE}, {"model": "nope", "percent": 10}, NotFound, "canary.model"),
    ({"stt": BASE}, {"model": COPY, "percent": 10, "weight": 1}, InvalidArgument, "unknown fields"),
])
def test_bad_updates_say_what_to_fix_and_change_nothing(deployments, routes, canary, error, text):
    deployments.update("prod", {"stt": BASE})
    with pytest.raises(error, match=text):
        deployments.update("prod", routes, canary=canary)
    assert deployments.get("prod").revision == 1


@pytest.mark.parametrize("bad_id", ["", "Prod", "-x", "a" * 65, "a/b"])
def test_bad_ids(deployments, bad_id):
    with pytest.raises(InvalidArgument, match="deployment_id"):
        deployments.update(bad_id, {"stt": BASE})


def test_a_new_deployment_needs_a_route(deployments):
    with pytest.raises(InvalidArgument, match="routes is empty"):
        deployments.update("fresh", {})
    with pytest.raises(NotFound):
        deployments.get("fresh")


def test_unknown_deployment(deployments):
    with pytest.raises(NotFound, match="'ghost' does not exist"):
        deployments.get("ghost")
    with pytest.raises(NotFound):
        deployments.rollback("ghost")


def test_list_pages(deployments):
    for i in range(5):
        deployments.update(f"d{i}", {"stt": BASE})
    first, token = deployments.list(2, "")
    second, token2 = deployments.list(2, token)
    third, token3 = deployments.list(2, token2)
    assert [d.id for d in first + second + third] == [f"d{i}" for i in range(5)] and token3 == ""


def test_a_model_that_serves_a_deployment_cannot_be_deleted(store, deployments):
    from adapt_server.config import ServerConfig
    from adapt_server.models.service import ModelService
    models = ModelService(ServerConfig(), store)
    deployments.update("prod", {"stt": BASE}, canary={"model": COPY, "percent": 10})
    with pytest.raises(FailedPrecondition, match=r"serves deployments \['prod'\]"):
        models.delete(COPY)
    deployments.update("prod", {"stt": BASE})
    models.delete(COPY)
    assert store.models.get(COPY) is None


def test_delete_removes_the_deployment_and_its_history(store, deployments):
    deployments.update("old", {"stt": BASE})
    deployments.update("old", {"stt": COPY})
    deployments.delete("old")
    with pytest.raises(NotFound):
        deployments.get("old")
    assert store.db.execute("SELECT COUNT(*) FROM deployment_revisions WHERE deployment_id = 'old'").fetchone()[0] == 0
    with pytest.raises(NotFound):
        deployments.delete("old")
