"""A job that fails with an unexpected exception (a bug) records INTERNAL with a short reference only: no
traceback, exception text or server path in the job's error or its events; the server log has the details
under that reference (issue 16, defect 12 part)."""
from __future__ import annotations

import logging

from adapt_server.api.convert import event
from adapt_server.config import ServerConfig
from adapt_server.jobs.worker import run_job
from adapt_server.store.store import Store

HANDLERS = {"test.crash": "tests_worker_crash:run"}


def crash(context):
    raise RuntimeError("/srv/adapt/secret/path.py exploded")


def test_an_unexpected_error_is_recorded_with_a_reference_only(tmp_path, caplog, monkeypatch):
    import sys
    import types
    module = types.ModuleType("tests_worker_crash")
    module.run = crash
    monkeypatch.setitem(sys.modules, "tests_worker_crash", module)
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    store = Store.open(config, run_migrations=True)
    store.jobs.enqueue("test.crash", "res_1", {}, 3)
    job = store.jobs.claim("worker-test", frozenset(HANDLERS))
    with caplog.at_level(logging.ERROR, logger="adapt.worker"):
        run_job(store, config, job, HANDLERS)
    finished = store.jobs.for_resource("res_1")
    assert finished.state == "FAILED" and finished.error_code == "INTERNAL"
    assert finished.error_message.startswith("internal error (reference ")
    reference = finished.error_message.split("reference ")[1].split(")")[0]
    for text in [finished.error_message] + [str(event(e, "res_1")) for e in store.jobs.events(finished.id, 0)]:
        assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert any(reference in record.getMessage() and "secret/path.py" in record.getMessage()
               for record in caplog.records)
    store.close()
