"""Metrics (observability/metrics.py) and the Grafana dashboard that reads them: every metric a dashboard query
uses is one the server exposes (checked on a real /metrics scrape), and worker processes' samples reach the
server's endpoint through the multiprocess files."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

from adapt_server.observability.metrics import DEFINITIONS, QUEUE_METRIC
from testkit.servers import free_port

REPO = Path(__file__).resolve().parents[3]
DASHBOARD = REPO / "deploy" / "grafana" / "adapt.json"
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")

# one process records every metric, a child process (a "worker") records one too; then the parent serves
# /metrics from the multiprocess files and the test scrapes it
SCRIPT = textwrap.dedent("""
    import multiprocessing, sys, time
    from pathlib import Path
    from adapt_server.observability import metrics

    def worker():
        metrics.job_finished("dataset.ingest", "SUCCEEDED", 42.0)
        metrics.training_step(2, 0.5)

    if __name__ == "__main__":
        metrics.enable(Path(sys.argv[1]))
        metrics.rpc_done("/adapt.v1.Models/ListModels", "OK", 0.01)
        metrics.rpc_done("/adapt.v1.Models/GetModel", "NOT_FOUND", 0.02)
        metrics.stream_started("/adapt.v1.Speech/StreamingRecognize")
        metrics.shard_committed("adapt_server.intake.ingest:ingest_shard", "ray")
        metrics.engine_loaded("ctranslate2", 0.3)
        metrics.engine_evicted()
        metrics.real_time_factor("whisper-tiny.en", "speech", 0.5, 10.0)
        child = multiprocessing.get_context("spawn").Process(target=worker)
        child.start(); child.join()
        metrics.serve(sys.argv[2], lambda: {("dataset.ingest", "PENDING"): 3}, ("dataset.ingest", "evaluation.run"))
        print("ready", flush=True)
        time.sleep(60)
""")


def dashboard_metrics() -> set[str]:
    """Metric names the dashboard's queries read (histogram series reduced to the histogram's name)."""
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    names = {name for expr in exprs for name in re.findall(r"\badapt_[a-z_]+\b", expr)}
    return {next((n[:-len(s)] for s in HISTOGRAM_SUFFIXES if n.endswith(s) and n[:-len(s)] in DEFINITIONS), n)
            for n in names}


def test_the_dashboard_reads_only_defined_metrics_and_shows_them_all():
    used = dashboard_metrics()
    assert used <= set(DEFINITIONS) | {QUEUE_METRIC}, used - set(DEFINITIONS) - {QUEUE_METRIC}
    assert set(DEFINITIONS) | {QUEUE_METRIC} <= used, "a metric no panel shows"


def test_every_dashboard_metric_is_exposed_and_worker_samples_are_summed(tmp_path):
    listen = f"127.0.0.1:{free_port()}"
    script = tmp_path / "serve_metrics.py"
    script.write_text(SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "metrics"), listen], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stdout.read()
        text = urllib.request.urlopen(f"http://{listen}/metrics", timeout=10).read().decode()
    finally:
        proc.kill()
        proc.wait()
    exposed = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line and not line.startswith("#")}
    for name in dashboard_metrics():
        kind = DEFINITIONS.get(name, ("gauge",))[0]
        series = [name + "_bucket", name + "_count"] if kind == "histogram" else [name]
        assert all(s in exposed for s in series), (name, sorted(exposed))
    # the child process's samples (a worker) are in the parent's endpoint
    assert 'adapt_job_duration_seconds_count{kind="dataset.ingest",state="SUCCEEDED"} 1.0' in text
    assert 'adapt_training_steps_total{world_size="2"} 1.0' in text
    assert 'adapt_rpc_requests_total{code="NOT_FOUND",method="/adapt.v1.Models/GetModel"} 1.0' in text
    assert 'adapt_jobs{kind="dataset.ingest",state="PENDING"} 3.0' in text
    assert 'adapt_jobs{kind="evaluation.run",state="RUNNING"} 0.0' in text
