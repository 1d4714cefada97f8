"""Prometheus metrics (prometheus-client), served on `adapt serve --metrics-listen HOST:PORT` at /metrics.

What is measured, by whom (every name below is what deploy/grafana/adapt.json queries; a test checks that):
- adapt_rpc_requests_total{method,code}, adapt_rpc_duration_seconds{method} (histogram): every RPC, by the
  grpc.aio interceptor (api/metrics_interceptor.py) in the server process; adapt_rpc_active_streams{method}:
  streaming RPCs in flight.
- adapt_jobs{kind,state}: the queue's depth (PENDING and RUNNING jobs), read from SQLite at each scrape.
- adapt_job_duration_seconds{kind,state} (histogram): a job's run from claim to its terminal state, by the
  worker process that ran it; adapt_job_shards_total{function,executor}: shards committed by job drivers.
- adapt_engine_loads_total{format}, adapt_engine_evictions_total, adapt_engine_load_seconds (histogram): the
  engine registry's cache, in whichever server-side process loads (the server, job workers).
- adapt_real_time_factor{model,source} (histogram): processing seconds / audio seconds of a transcription:
  source "speech" for the Speech API, "evaluation" for every utterance an evaluation committed (observed by
  the job driver from the shard's result, so shards that ran on Ray workers count too).
- adapt_training_step_seconds{world_size} (histogram), adapt_training_steps_total: fine-tuning optimizer
  steps, by rank 0 (the job's worker process).

Worker processes: the multiprocess collector, not reports through the queue. The server and its job workers
share one machine (the workers are its children), so prometheus-client's multiprocess mode (one mmap file per
process under <data-dir>/metrics, summed at scrape time; a dead worker's counters stay counted) gives every
process's counters and histograms at no cost on the hot path. Routing samples through the SQLite queue would
add a write per utterance or training step to the one-writer database that carries the jobs themselves, for
data that is not durable state. Shards on Ray workers do not write metric files: what they measure comes back
in their results and the driver (a job worker) observes it.

Multiprocess mode must be chosen before the first metric exists in a process: `enable(directory)` in the
server (before the workers start: they inherit PROMETHEUS_MULTIPROC_DIR); metrics are created on first use.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
JOB_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
RTF_BUCKETS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5)
STEP_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)
LOAD_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)

# name -> (type, help, labels, buckets): the one list of metrics (the dashboard test reads it)
DEFINITIONS: dict[str, tuple[str, str, tuple[str, ...], tuple | None]] = {
    "adapt_rpc_requests_total": ("counter", "RPCs handled, by method and status code", ("method", "code"), None),
    "adapt_rpc_duration_seconds": ("histogram", "RPC latency (streams: their whole duration)", ("method",),
                                   LATENCY_BUCKETS),
    "adapt_rpc_active_streams": ("gauge", "streaming RPCs in flight", ("method",), None),
    "adapt_job_duration_seconds": ("histogram", "job runs from claim to a terminal state", ("kind", "state"),
                                   JOB_BUCKETS),
    "adapt_job_shards_total": ("counter", "job shards committed by their driver", ("function", "executor"), None),
    "adapt_engine_loads_total": ("counter", "engines loaded into a registry's cache", ("format",), None),
    "adapt_engine_evictions_total": ("counter", "engines dropped from a registry's cache (LRU or model deleted)",
                                     (), None),
    "adapt_engine_load_seconds": ("histogram", "seconds to load an engine", ("format",), LOAD_BUCKETS),
    "adapt_real_time_factor": ("histogram", "processing seconds per second of audio", ("model", "source"),
                               RTF_BUCKETS),
    "adapt_training_step_seconds": ("histogram", "fine-tuning optimizer step time", ("world_size",),
                                    STEP_BUCKETS),
    "adapt_training_steps_total": ("counter", "fine-tuning optimizer steps", ("world_size",), None),
}
QUEUE_METRIC = "adapt_jobs"  # gauge {kind,state}, collected from the database at scrape time
_lock = threading.Lock()
_metrics: dict[str, object] = {}


def enable(directory: Path) -> None:
    """Multiprocess mode with files under `directory` (emptied: the counts of a previous server run go), for
    this process and the processes it starts afterwards. Call before any metric is recorded."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    from prometheus_client import values
    values.ValueClass = values.get_value_class()  # in case prometheus_client was imported before


def _metric(name: str):
    metric = _metrics.get(name)
    if metric is None:
        with _lock:
            metric = _metrics.get(name)
            if metric is None:
                import prometheus_client
                kind, text, labels, buckets = DEFINITIONS[name]
                if kind == "counter":
                    metric = prometheus_client.Counter(name, text, labels)
                elif kind == "histogram":
                    metric = prometheus_client.Histogram(name, text, labels, buckets=buckets)
                else:
                    metric = prometheus_client.Gauge(name, text, labels, multiprocess_mode="livesum")
                _metrics[name] = metric
    return metric


def _labelled(name: str, **labels):
    metric = _metric(name)
    return metric.labels(**labels) if labels else metric


# --- what the code records ------------------------------------------------------------------------------
def rpc_done(method: str, code: str, seconds: float) -> None:
    _labelled("adapt_rpc_requests_total", method=method, code=code).inc()
    _labelled("adapt_rpc_duration_seconds", method=method).observe(seconds)


def stream_started(method: str) -> None:
    _labelled("adapt_rpc_active_streams", method=method).inc()


def stream_ended(method: str) -> None:
    _labelled("adapt_rpc_active_streams", method=method).dec()


def job_finished(kind: str, state: str, seconds: float) -> None:
    _labelled("adapt_job_duration_seconds", kind=kind, state=state).observe(max(0.0, seconds))


def shard_committed(function: str, executor: str) -> None:
    _labelled("adapt_job_shards_total", function=function.rsplit(":", 1)[-1], executor=executor).inc()


def engine_loaded(model_format: str, seconds: float) -> None:
    _labelled("adapt_engine_loads_total", format=model_format).inc()
    _labelled("adapt_engine_load_seconds", format=model_format).observe(seconds)


def engine_evicted(count: int = 1) -> None:
    if count:
        _labelled("adapt_engine_evictions_total").inc(count)


def real_time_factor(model: str, source: str, processing_s: float, audio_s: float) -> None:
    if audio_s > 0:
        _labelled("adapt_real_time_factor", model=model, source=source).observe(processing_s / audio_s)


def training_step(world_size: int, seconds: float) -> None:
    _labelled("adapt_training_step_seconds", world_size=str(world_size)).observe(seconds)
    _labelled("adapt_training_steps_total", world_size=str(world_size)).inc()


# --- the endpoint ---------------------------------------------------------------------------------------
class QueueCollector:
    """adapt_jobs{kind,state}: PENDING and RUNNING jobs by kind, read at scrape time through `counts()`
    ((kind, state) -> jobs)."""

    def __init__(self, counts: Callable[[], dict[tuple[str, str], int]], kinds: tuple[str, ...]):
        self.counts, self.kinds = counts, kinds

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily
        family = GaugeMetricFamily(QUEUE_METRIC, "jobs waiting (PENDING) or running (RUNNING), by kind",
                                   labels=("kind", "state"))
        counts = self.counts()
        for kind in sorted(set(self.kinds) | {k for k, _ in counts}):
            for state in ("PENDING", "RUNNING"):
                family.add_metric((kind, state), counts.get((kind, state), 0))
        yield family


def serve(listen: str, queue_counts: Callable[[], dict[tuple[str, str], int]], kinds: tuple[str, ...]):
    """Starts the /metrics HTTP server on `listen` ("host:port") in a daemon thread; returns (server, thread).
    Serves the multiprocess files of every process when enabled, else this process's registry."""
    from prometheus_client import CollectorRegistry, REGISTRY, multiprocess, start_http_server
    host, _, port = listen.rpartition(":")
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    registry.register(QueueCollector(queue_counts, kinds))
    return start_http_server(int(port), addr=host.strip("[]") or "127.0.0.1", registry=registry)


def process_died(pid: int) -> None:
    """A worker process ended: its live gauges stop counting (its counters and histograms stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess
        multiprocess.mark_process_dead(pid)
