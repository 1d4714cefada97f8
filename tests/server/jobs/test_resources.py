"""The use cases every job-backed resource shares (get, list, cancel, delete), on the dataset service over a
real store: what a client sees for a missing, pending, running and finished resource."""
from __future__ import annotations

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, NotFound
from adapt_server.intake.service import DatasetService
from adapt_server.store.jobs import SUCCEEDED
from adapt_server.store.store import Store

SPEC = {"sources": [], "pipeline": [], "labels": {}}


@pytest.fixture
def service(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    store = Store.open(config, run_migrations=True)
    yield DatasetService(config, store)
    store.close()


def _dataset(service, name="calls"):
    return service.store.datasets.create(name, SPEC, None, "h", 3)[0]


def test_get_names_what_is_missing(service):
    with pytest.raises(NotFound, match="dataset 'ds_nope' does not exist; list datasets to see the ids"):
        service.get("ds_nope")
    with pytest.raises(NotFound):
        service.get("")
    record = _dataset(service)
    assert service.get(record.id) == record


def test_list_pages_oldest_first(service):
    ids = [_dataset(service, f"d{i}").id for i in range(3)]
    first, token = service.list(2, "")
    rest, end = service.list(2, token)
    assert [r.id for r in first + rest] == ids and end == ""


def test_a_pending_resource_is_cancelled_at_once_and_can_then_be_deleted(service):
    record = _dataset(service)
    with pytest.raises(FailedPrecondition, match=r"is PENDING; cancel it first \(CancelDataset\)"):
        service.delete(record.id)
    assert service.cancel(record.id).job.state == "CANCELLED"
    assert service.delete(record.id) == 0  # no audio blobs to remove
    with pytest.raises(NotFound):
        service.get(record.id)


def test_a_running_resource_is_flagged_and_a_finished_one_is_left_as_it_is(service):
    record = _dataset(service)
    job = service.store.jobs.claim("test-worker")
    flagged = service.cancel(record.id)
    assert flagged.job.state == "RUNNING" and flagged.job.cancel_requested
    with pytest.raises(FailedPrecondition, match="is RUNNING"):
        service.delete(record.id)
    service.store.jobs.finish(job, SUCCEEDED)
    assert service.cancel(record.id).job.state == SUCCEEDED
