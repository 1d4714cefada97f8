"""FineTunes over gRPC against a real `adapt serve`: bad input gets a clear status before any work starts,
create is idempotent by request_id, list/get/watch/cancel, a short fine-tune's model and its HTML report. (The
full train-export-register-promote run is tests/e2e/test_flow.py, marked slow.)"""
from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

import adapt
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

BASE = "whisper-tiny.en"
WAIT_S = 300


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("ft-sources")
    generate_calls(root / "gen", n_calls=1, seed=5, split="train", min_turns=9, max_turns=9)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, calls_dir):
    proc = ServerProcess(tmp_path_factory.mktemp("ft-data") / "adapt-data", [calls_dir]).start()
    yield proc
    if proc.alive():
        proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        yield c


@pytest.fixture(scope="module")
def dataset(client, calls_dir):
    d = client.datasets.create(name="ft-small", sources=[{"type": "local", "uri": str(calls_dir / "gen" / "calls")}])
    return client.datasets.wait(d.id, timeout=WAIT_S)


@pytest.mark.parametrize("kwargs, error, text", [
    ({"base_model": "whisper-huge.xx"}, adapt.NotFoundError, "base_model 'whisper-huge.xx' does not exist"),
    ({"dataset_id": "ds_missing"}, adapt.NotFoundError, "dataset 'ds_missing' does not exist"),
    ({"base_model": ""}, adapt.InvalidArgumentError, "base_model is required"),
    ({"hyperparameters": {"learning_rate": 5.0}}, adapt.InvalidArgumentError, "learning_rate"),
    ({"hyperparameters": {"epochs": -1}}, adapt.InvalidArgumentError, "epochs"),
    ({"hyperparameters": {"batch_size": 100000}}, adapt.InvalidArgumentError, "batch_size"),
    ({"validation": {"holdout_fraction": 0.9}}, adapt.InvalidArgumentError, "holdout_fraction"),
    ({"validation": {"forgetting_budget": 2}}, adapt.InvalidArgumentError, "forgetting_budget"),
    ({"validation": {"forgetting_reference": "ds_missing"}}, adapt.NotFoundError,
     "forgetting_reference: dataset 'ds_missing' does not exist"),
])
def test_bad_input_gets_a_clear_status_and_starts_nothing(client, dataset, server, kwargs, error, text):
    request = {"base_model": BASE, "dataset_id": dataset.id, "hyperparameters": {"epochs": 1}, **kwargs}
    before = len(list(client.fine_tunes.list()))
    with pytest.raises(error, match=text):
        client.fine_tunes.create(**request)
    assert len(list(client.fine_tunes.list())) == before
    assert server.alive()


def test_create_is_idempotent_by_request_id_then_cancel(client, dataset, tmp_path):
    request = dict(base_model=BASE, dataset_id=dataset.id, hyperparameters={"epochs": 1, "batch_size": 2},
                   request_id="ft-req-1")
    job = client.fine_tunes.create(**request)
    assert job.id.startswith("ftjob_") and job.state in ("PENDING", "RUNNING")
    assert job.model_id == "" and job.base_model == BASE and job.dataset_id == dataset.id
    assert job.hyperparameters["epochs"] == 1 and job.hyperparameters["batch_size"] == 2
    assert client.fine_tunes.create(**request).id == job.id
    with pytest.raises(adapt.AlreadyExistsError, match="ft-req-1"):
        client.fine_tunes.create(**{**request, "hyperparameters": {"epochs": 2}})
    assert job.id in {f.id for f in client.fine_tunes.list()}
    client.fine_tunes.cancel(job.id)
    with pytest.raises(adapt.JobCancelledError):
        client.fine_tunes.wait(job.id, timeout=WAIT_S)
    assert job.state == "CANCELLED" and job.model_id == ""
    events = list(client.fine_tunes.watch(job.id))
    assert events[0].state == "PENDING" and events[-1].state == "CANCELLED"
    with pytest.raises(adapt.NotFoundError):
        client.models.get(f"ft:{BASE}:{job.id.removeprefix('ftjob_')}")
    with pytest.raises(adapt.FailedPreconditionError, match="CANCELLED; a report needs a SUCCEEDED one"):
        client.fine_tunes.report(job.id, tmp_path)


def test_unknown_fine_tune(client):
    with pytest.raises(adapt.NotFoundError, match="ftjob_nope"):
        client.fine_tunes.get("ftjob_nope")
    with pytest.raises(adapt.NotFoundError):
        client.fine_tunes.cancel("ftjob_nope")


@pytest.fixture(scope="module")
def short_fine_tune(client, dataset):
    """Two steps of the cheapest strategy, finished: (the fine-tune create returned, what wait returned, its watch
    events)."""
    job = client.fine_tunes.create(base_model=BASE, dataset_id=dataset.id, validation={"holdout_fraction": 0.0},
                                   hyperparameters={"strategy": "frozen_encoder", "max_steps": 2, "batch_size": 4,
                                                    "warmup_steps": 0, "learning_rate": 1e-5})
    events = list(client.fine_tunes.watch(job.id, timeout=WAIT_S))
    return job, client.fine_tunes.wait(job.id, timeout=WAIT_S), events


@pytest.mark.slow  # two training steps and their export (the module's fixture)
def test_a_short_fine_tune_registers_a_model_that_serves(client, dataset, calls_dir, short_fine_tune):
    """The glue from dataset to registered, servable ft: model."""
    job, tuned, events = short_fine_tune
    assert tuned is job and tuned.state == "SUCCEEDED"
    short = job.id.removeprefix("ftjob_")
    assert tuned.model_id == f"ft:{BASE}:{short}"
    assert set(tuned.export_formats) == {"ctranslate2", "huggingface"}
    assert tuned.metrics["steps"] == 2 and tuned.metrics["train_utterances"] > 0
    train = [e.progress for e in events if e.progress.stage == "train"]
    assert train and train[-1].done == 2 and "loss" in train[-1].message and "lr" in train[-1].message
    model = client.models.get(tuned.model_id)
    assert model.kind == "FINE_TUNED" and model.base_model == BASE
    assert model.lineage["fine_tune_id"] == job.id and model.lineage["dataset"]["id"] == dataset.id
    assert model.lineage["hyperparameters"]["strategy"] == "frozen_encoder"
    assert set(model.lineage["exports"]) == {"ctranslate2", "huggingface"}
    audio = next((calls_dir / "gen" / "calls").glob("*.wav"))
    transcript = client.speech.transcribe(audio, model=tuned.model_id)
    assert transcript.model == tuned.model_id and len(transcript.text.split()) > 20
    assert client.deployments.update("tuned", routes={"stt": tuned.model_id}).routes == {"stt": tuned.model_id}


@pytest.mark.slow  # two training steps and their export (the module's fixture)
def test_the_report_of_a_finished_fine_tune(client, short_fine_tune, tmp_path):
    """`adapt fine-tunes report`: header, hyperparameters, training metrics and the interpolation's reason (too few
    training utterances here for a selection: the curve is covered by tests/sdk/test_fine_tune_report.py)."""
    _, tuned, _ = short_fine_tune
    result = subprocess.run([sys.executable, "-m", "adapt.cli", "--target", client.target, "fine-tunes", "report",
                             tuned.id, "--out", str(tmp_path / "report")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip()).read_text()
    assert (tmp_path / "report" / "plotly.min.js").stat().st_size > 1_000_000
    assert f"Fine-tune {tuned.id}" in page and html.escape(tuned.model_id) in page
    assert "<th>strategy</th><td>frozen_encoder</td>" in page and "<th>steps</th><td>2</td>" in page
    assert html.escape(tuned.metrics["interpolation"]["reason"]) in page
