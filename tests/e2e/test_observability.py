"""/metrics and traces of a real `adapt serve` (local executor) while it ingests a dataset and transcribes:
the RPCs by method and code, the queue, the job's duration and shards, engine loads and real-time factor on
the Prometheus endpoint; the gRPC server spans and the job's stage spans at an OTLP/HTTP collector stand-in on
loopback."""
from __future__ import annotations

import time
import urllib.request

import pytest

import adapt
from testkit.otlp_collector import OtlpCollector
from testkit.servers import ServerProcess, free_port

pytestmark = pytest.mark.slow
WAIT_S = 300


@pytest.fixture(scope="module")
def collector():
    started = OtlpCollector().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def observed(tmp_path_factory, collector):
    """A server with --metrics-listen and OTLP export, after an ingest, a refused RPC and a transcription."""
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("obs-sources")
    generate_calls(root / "gen", n_calls=2, seed=11, split="train", min_turns=9, max_turns=9)
    listen = f"127.0.0.1:{free_port()}"
    server = ServerProcess(tmp_path_factory.mktemp("obs") / "data", [root], extra_args=["--metrics-listen", listen],
                           env={"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"})
    server.start()
    try:
        with adapt.Client(server.target) as client:
            dataset = client.datasets.create(name="observed", sources=[{"type": "local",
                                                                        "uri": str(root / "gen" / "calls")}])
            dataset = client.datasets.wait(dataset.id, timeout=WAIT_S)
            with pytest.raises(adapt.NotFoundError):
                client.datasets.get("ds_missing")
            audio = sorted((root / "gen" / "calls").glob("*.wav"))[0]
            client.speech.transcribe(str(audio), model="whisper-tiny.en")
        deadline = time.monotonic() + 30
        wanted = ("job dataset.ingest", "/adapt.v1.Speech/Transcribe")
        while not all(any(s.name == name for s in collector.spans) for name in wanted) and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        text = urllib.request.urlopen(f"http://{listen}/metrics", timeout=10).read().decode()
        yield dataset, text, collector
    finally:
        server.stop()


def sample(text: str, name: str, **labels) -> float:
    """The value of the series `name{labels...}` (labels in any order; others ignored); 0 when absent."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            series, value = line.rsplit(" ", 1)
            if all(f'{k}="{v}"' in series for k, v in labels.items()):
                return float(value)
    return 0.0


def test_metrics_show_the_work(observed):
    dataset, text, _ = observed
    assert sample(text, "adapt_rpc_requests_total", method="/adapt.v1.Datasets/CreateDataset", code="OK") == 1
    assert sample(text, "adapt_rpc_requests_total", method="/adapt.v1.Datasets/GetDataset", code="NOT_FOUND") == 1
    assert sample(text, "adapt_rpc_duration_seconds_count", method="/adapt.v1.Speech/Transcribe") == 1
    assert 'adapt_rpc_active_streams{method="/adapt.v1.Datasets/WatchDataset"} 0.0' in text  # the wait's stream ended
    assert sample(text, "adapt_rpc_requests_total", method="/adapt.v1.Datasets/WatchDataset", code="OK") >= 1
    assert sample(text, "adapt_jobs", kind="dataset.ingest", state="PENDING") == 0
    # the worker process's samples, through the multiprocess files
    assert sample(text, "adapt_job_duration_seconds_count", kind="dataset.ingest", state="SUCCEEDED") == 1
    assert sample(text, "adapt_job_shards_total", function="ingest_shard", executor="local") == 2
    assert sample(text, "adapt_engine_loads_total", format="ctranslate2") >= 1
    assert sample(text, "adapt_real_time_factor_count", model="whisper-tiny.en", source="speech") == 1


def test_traces_hold_the_rpcs_and_the_job_stages(observed):
    dataset, _, collector = observed
    names = {(s.service, s.name) for s in collector.spans}
    assert ("adapt-server", "/adapt.v1.Datasets/CreateDataset") in names, names
    assert ("adapt-server", "/adapt.v1.Speech/Transcribe") in names, names
    [job] = [s for s in collector.spans if s.name == "job dataset.ingest"]
    assert job.service == "adapt-worker" and job.attributes["adapt.resource.id"] == dataset.id
    assert job.attributes["adapt.job.state"] == "SUCCEEDED" and job.attributes["adapt.executor"] == "local"
    files = [s for s in collector.spans if s.name == "ingest file"]
    assert len(files) == 2 and {s.trace_id for s in files} == {job.trace_id}
    assert {s.parent_span_id for s in files} == {job.span_id}
