"""The job-backed resource and keyset pages on a real SQLite store: idempotent create with its PENDING job,
pages in creation order, delete with the job."""
from __future__ import annotations

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import AlreadyExists, InvalidArgument
from adapt_server.store.datasets import DATASETS
from adapt_server.store.pages import decode_token, keyset_page, requested_page
from adapt_server.store.resources import JobResourceTable
from adapt_server.store.store import Store

SPEC = {"sources": [], "pipeline": [], "labels": {}}


@pytest.fixture
def store(tmp_path):
    s = Store.open(ServerConfig(data_dir=tmp_path / "data").resolved(), run_migrations=True)
    yield s
    s.close()


def test_a_create_stores_the_row_with_its_pending_job(store):
    record, created = store.datasets.create("calls", SPEC, "req-1", "hash-1", 3)
    assert created and record.request_id == "req-1" and record.name == "calls"
    assert (record.job.kind, record.job.state, record.job.payload) == ("dataset.ingest", "PENDING",
                                                                       {"dataset_id": record.id})


def test_a_repeated_request_id_returns_the_same_resource_and_a_different_request_is_refused(store):
    first, _ = store.datasets.create("calls", SPEC, "req-1", "hash-1", 3)
    again, created = store.datasets.create("calls", SPEC, "req-1", "hash-1", 3)
    assert not created and again.id == first.id and again.job.id == first.job.id
    with pytest.raises(AlreadyExists, match=f"request_id 'req-1' was already used to create dataset {first.id}"):
        store.datasets.create("other", SPEC, "req-1", "hash-2", 3)
    without_id = [store.datasets.create("calls", SPEC, None, "hash-1", 3)[0].id for _ in range(2)]
    assert len(set(without_id)) == 2  # no request_id: every create is new
    assert store.db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 3


def test_pages_follow_creation_order_and_tokens_resume_after_the_last_row(store):
    ids = [store.datasets.create(f"d{i}", SPEC, None, "h", 3)[0].id for i in range(5)]
    seen, token, pages = [], "", 0
    while True:
        records, token = requested_page(store.datasets.list_page, 2, token)
        seen += [r.id for r in records]
        pages += 1
        if not token:
            break
    assert seen == ids and pages == 3
    with pytest.raises(InvalidArgument, match="page_token is not valid"):
        requested_page(store.datasets.list_page, 2, "not-a-token")
    with pytest.raises(InvalidArgument, match="page_size must be >= 0"):
        requested_page(store.datasets.list_page, -1, "")


def test_keyset_page_filters_and_a_single_key(store):
    ids = [store.datasets.create(f"d{i}", SPEC, None, "h", 3)[0].id for i in range(3)]
    rows, token = keyset_page(store.db, "SELECT rowid, * FROM datasets", 2, None, [("name != ?", ["d0"])],
                              keys=("rowid",), row_key=lambda row: (float(row["rowid"]), ""))
    assert [r["id"] for r in rows] == ids[1:] and token == ""
    rows, token = keyset_page(store.db, "SELECT rowid, * FROM datasets", 1, None, keys=("rowid",),
                              row_key=lambda row: (float(row["rowid"]), ""))
    assert [r["id"] for r in rows] == ids[:1] and decode_token(token) == (float(rows[0]["rowid"]), "")
    rest, _ = keyset_page(store.db, "SELECT rowid, * FROM datasets", 5, decode_token(token), keys=("rowid",))
    assert [r["id"] for r in rest] == ids[1:]


def test_delete_removes_the_row_and_its_job(store):
    record, _ = store.datasets.create("calls", SPEC, "req-1", "hash-1", 3)
    table = JobResourceTable(store.db, DATASETS, store.scope)
    table.delete(record.id)
    assert store.datasets.get(record.id) is None and store.jobs.get(record.job.id) is None
    again, created = store.datasets.create("calls", SPEC, "req-1", "hash-2", 3)  # the request_id is free again
    assert created and again.id != record.id


# --- projects (store/scope.py): every generic read, page, insert and delete stays inside one project ----------
def test_a_project_never_sees_another_projects_rows(store):
    other = store.scoped("billing")
    mine, _ = store.datasets.create("calls", SPEC, "req-1", "hash-1", 3)
    theirs, created = other.datasets.create("calls", SPEC, "req-1", "hash-2", 3)  # the same request_id
    assert created and theirs.id != mine.id and theirs.job.project_id == "billing"
    assert other.datasets.get(mine.id) is None and store.datasets.get(theirs.id) is None
    assert [d.id for d in store.datasets.list_page(10, None)[0]] == [mine.id]
    assert [d.id for d in other.datasets.list_page(10, None)[0]] == [theirs.id]
    other.datasets.delete(mine.id)  # not billing's: nothing happens
    assert store.datasets.get(mine.id) is not None and store.jobs.get(mine.job.id) is not None
    assert other.datasets.recordings(mine.id) == [] and other.datasets.utterances(mine.id) == []


def test_the_job_quota_counts_the_projects_own_active_jobs(tmp_path):
    from adapt_server.errors import ResourceExhausted
    config = ServerConfig(data_dir=tmp_path / "q").resolved()
    from adapt_server.config import Quotas
    from dataclasses import replace
    store = Store.open(replace(config, quotas=Quotas(max_active_jobs_per_project=2)), run_migrations=True)
    store.datasets.create("a", SPEC, None, "h", 3)
    store.datasets.create("b", SPEC, "again", "h", 3)
    with pytest.raises(ResourceExhausted, match="project 'default' has 2 jobs queued or running") as refused:
        store.datasets.create("c", SPEC, None, "h", 3)
    assert refused.value.retry_after_s == 30
    assert store.datasets.create("b", SPEC, "again", "h", 3)[1] is False  # a retry of a created one still answers
    assert store.scoped("billing").datasets.create("c", SPEC, None, "h", 3)[1]  # another project's quota is its own
    store.jobs.finish(store.jobs.claim("w"), "SUCCEEDED")
    assert store.datasets.create("c", SPEC, None, "h", 3)[1]
    store.close()
