"""Schema migration 8 on a database main made before projects (fixtures/pre_projects.sql, written by main's
own code at d52543a: fixtures/make_pre_projects_dump.py): every row lands in the `default` project (bundled
models in the shared one) with its content, children and foreign keys intact, request ids and chosen ids are
then unique per project, and the server's repositories read it all back."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from adapt_server.config import ServerConfig
from adapt_server.store.db import connect, migrate, schema_version
from adapt_server.store.deployments import UPDATE
from adapt_server.store.store import Store

DUMP = Path(__file__).with_name("fixtures") / "pre_projects.sql"


@pytest.fixture
def old_data_dir(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    config.data_dir.mkdir(parents=True)
    db = sqlite3.connect(config.database_path)
    db.executescript(DUMP.read_text())
    db.close()
    return config


def _counts(db) -> dict[str, int]:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'").fetchall()]
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_an_old_data_dir_migrates_into_the_default_project(old_data_dir):
    db = connect(old_data_dir.database_path)
    assert schema_version(db) == 4
    before = _counts(db)
    assert all(before[t] > 0 for t in ("datasets", "recordings", "utterances", "speaker_turns", "redactions",
                                       "file_issues", "evaluations", "evaluation_utterances", "fine_tunes", "models",
                                       "deployments", "deployment_revisions", "jobs", "job_events"))
    assert migrate(db) >= 8
    after = _counts(db)
    assert {t: after[t] for t in before if t != "schema_migrations"} == {
        t: n for t, n in before.items() if t != "schema_migrations"}  # no row lost, none added
    for table in ("datasets", "evaluations", "fine_tunes", "deployments", "deployment_revisions", "jobs"):
        assert {r[0] for r in db.execute(f"SELECT DISTINCT project_id FROM {table}")} == {"default"}, table
    projects = dict(db.execute("SELECT id, project_id FROM models").fetchall())
    assert projects == {"whisper-tiny.en": "_shared", "pocketsphinx-en-us": "_shared", "my-model": "default"}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'") if r[0]} >= {
        "datasets_created", "evaluations_dataset", "fine_tunes_created", "deployments_created", "recordings_blob"}
    db.conn.close()


def test_the_migrated_data_reads_back_through_the_repositories(old_data_dir):
    store = Store.open(old_data_dir, run_migrations=True)
    [dataset] = store.datasets.list_page(10, None)[0]
    assert dataset.request_id == "req-dataset" and dataset.spec["labels"] == {"team": "a"}
    assert [r.id for r in store.datasets.recordings(dataset.id)] == ["rec_1"]
    assert store.datasets.utterances(dataset.id)[0][1].text == "hello there"
    [evaluation] = store.evaluations.list_page(10, None)[0]
    assert store.evaluations.hypotheses(evaluation.id, "primary")[0].hypothesis == "hello"
    assert store.fine_tunes.list_page(10, None)[0][0].request_id == "req-ft"
    assert store.models.by_request_id("req-model").id == "my-model" and store.models.get("whisper-tiny.en")
    deployment = store.deployments.get("prod-voice")
    assert (deployment.revision, deployment.routes) == (2, {"stt": "my-model"})
    assert [r.action for r in store.deployments.revisions("prod-voice")] == ["create", "update"]
    assert store.deployments.write("prod-voice", 2, UPDATE, {"stt": "whisper-tiny.en"}, None, 2, False, "")
    assert store.deployments.delete("prod-voice")  # the revisions go with it (the rebuilt foreign key cascades)
    assert store.db.execute("SELECT COUNT(*) FROM deployment_revisions").fetchone()[0] == 0
    store.datasets.delete(dataset.id)
    assert store.db.execute("SELECT COUNT(*) FROM recordings").fetchone()[0] == 0  # children cascade too
    store.close()


def test_after_the_migration_ids_and_request_ids_are_unique_per_project(old_data_dir):
    store = Store.open(old_data_dir, run_migrations=True)
    other = store.scoped("billing")
    assert other.datasets.get(store.datasets.list_page(1, None)[0][0].id) is None
    record, created = other.datasets.create("calls", {"sources": [], "pipeline": [], "labels": {}},
                                            "req-dataset", "another hash", 3)
    assert created and record.request_id == "req-dataset"  # default's request id is free in billing
    assert other.deployments.get("prod-voice") is None
    assert other.deployments.write("prod-voice", 0, "create", {"stt": "whisper-tiny.en"}, None, None, False, "")
    assert store.deployments.get("prod-voice").routes == {"stt": "my-model"}
    assert other.models.get("my-model") is None and other.models.get("whisper-tiny.en") is not None
    store.close()
