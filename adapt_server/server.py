"""`adapt serve`: the grpc.aio server with health, reflection, the Adapt services and the worker pool."""
from __future__ import annotations

import asyncio
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapt.v1 import (datasets_pb2, datasets_pb2_grpc, models_pb2, models_pb2_grpc, server_pb2, server_pb2_grpc,
                      speech_pb2, speech_pb2_grpc)
from adapt.v1 import deployments_pb2, deployments_pb2_grpc, fine_tunes_pb2, fine_tunes_pb2_grpc
from adapt.v1 import evaluations_pb2, evaluations_pb2_grpc
from adapt_server import egress
from adapt_server.api.auth import ApiKeyInterceptor
from adapt_server.api.context import ServiceRunner
from adapt_server.api.datasets import DatasetsServicer
from adapt_server.api.deployments import DeploymentsServicer
from adapt_server.api.evaluations import EvaluationsServicer
from adapt_server.api.metrics_interceptor import MetricsInterceptor
from adapt_server.api.fine_tunes import FineTunesServicer
from adapt_server.api.models import ModelsServicer
from adapt_server.api.server_status import ServerServicer
from adapt_server.api.speech import SpeechServicer
from adapt_server.config import MAX_MESSAGE_BYTES, ServerConfig
from adapt_server.engines.registry import EngineRegistry
from adapt_server.jobs.pool import WorkerPool
from adapt_server.models.service import ModelService
from adapt_server.observability import metrics, tracing
from adapt_server.speech.session import Streams
from adapt_server.store.datasets import INGEST_JOB
from adapt_server.store.evaluations import EVALUATION_JOB
from adapt_server.store.fine_tunes import FINE_TUNE_JOB
from adapt_server.store.store import Store

log = logging.getLogger("adapt.server")
SERVICE_NAMES = (
    datasets_pb2.DESCRIPTOR.services_by_name["Datasets"].full_name,
    models_pb2.DESCRIPTOR.services_by_name["Models"].full_name,
    speech_pb2.DESCRIPTOR.services_by_name["Speech"].full_name,
    server_pb2.DESCRIPTOR.services_by_name["Server"].full_name,
    fine_tunes_pb2.DESCRIPTOR.services_by_name["FineTunes"].full_name,
    deployments_pb2.DESCRIPTOR.services_by_name["Deployments"].full_name,
    evaluations_pb2.DESCRIPTOR.services_by_name["Evaluations"].full_name,
)
JOB_HANDLERS = {  # job kind -> the function its worker runs (imported in the worker when first needed)
    INGEST_JOB: "adapt_server.intake.ingest:run_ingest_job",
    EVALUATION_JOB: "adapt_server.evaluation.job:run_evaluation_job",
    FINE_TUNE_JOB: "adapt_server.finetunes.job:run_fine_tune_job",
}
SHUTDOWN_GRACE_S = 5.0
BLOCKING_THREADS = 32  # threads for SQLite, audio decoding and engine calls (each stream holds one while it decodes)
POOL_CHECK_INTERVAL_S = 1.0


def prepare_data_dir(config: ServerConfig) -> Store:
    """Migrates the schema, clears interrupted writes, recovers interrupted jobs, registers bundled models."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store.open(config, run_migrations=True)
    check_scale_out(config, store)
    store.blobs.clean_tmp()
    for job in store.jobs.recover("the server stopped while this job was running"):
        log.warning("job %s (%s) -> %s", job.id, job.resource_id, job.state)
    ModelService(config, store).register_bundled()
    return store


# --- scale-out and observability (issue 20): executors, the blob store, /metrics, traces ------------------
def check_scale_out(config: ServerConfig, store: Store) -> None:
    """Refuses a configuration that cannot work, saying what to fix, before anything starts."""
    if config.executor not in ("local", "ray"):
        raise SystemExit(f"--executor {config.executor!r}: choose local or ray")
    if config.executor == "ray" and not config.ray_address:
        raise SystemExit("--executor ray needs --ray-address (the cluster's GCS address, host:port, or 'auto')")
    if config.train_world_size < 1:
        raise SystemExit(f"--train-world-size must be >= 1, got {config.train_world_size}")
    if config.blob_store:
        from adapt_server.errors import AdaptError
        try:
            store.blobs.check()
        except AdaptError as exc:
            raise SystemExit(f"--blob-store {config.blob_store}: {exc.message}") from None
    elif config.executor == "ray":
        log.warning("--executor ray with the local blob store: Ray workers must run on this machine (they read and "
                    "write %s); for workers on other nodes, use --blob-store s3://...", config.blob_dir)


def observability(config: ServerConfig) -> list:
    """Turns on /metrics (multiprocess files the job workers also write: call before they start) and
    tracing; returns the interceptors that count, time and trace every RPC (outermost first)."""
    if config.metrics_listen:
        metrics.enable(config.metrics_dir)
    return [MetricsInterceptor(), *tracing.server_interceptors()]


def start_metrics_endpoint(config: ServerConfig) -> None:
    if not config.metrics_listen:
        return
    connection = Store.open(config)  # its own SQLite connection, used by the scrape thread only
    lock = threading.Lock()

    def counts():
        with lock:
            return connection.jobs.depth()
    try:
        metrics.serve(config.metrics_listen, counts, tuple(JOB_HANDLERS))
    except OSError as exc:
        raise SystemExit(f"--metrics-listen {config.metrics_listen}: {exc.strerror or exc}") from None
    log.info("metrics on http://%s/metrics", config.metrics_listen)
# --- end of scale-out and observability ----------------------------------------------------------------------


async def serve(config: ServerConfig, ready_message: bool = True) -> None:
    egress.configure()  # first: dependencies' phone-home switches off, outbound attempts recorded (egress.py)
    config = config.resolved()
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=BLOCKING_THREADS, thread_name_prefix="adapt-blocking"))
    store = prepare_data_dir(config)
    observed = observability(config)
    pool = WorkerPool(config, store, JOB_HANDLERS)
    pool.start()
    start_metrics_endpoint(config)
    interceptors = observed + ([ApiKeyInterceptor(config.api_key)] if config.api_key else [])
    server = grpc.aio.server(interceptors=interceptors, options=[
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    runner = ServiceRunner(config, EngineRegistry(cache_dir=config.engine_cache_dir), Streams())
    datasets_pb2_grpc.add_DatasetsServicer_to_server(DatasetsServicer(runner), server)
    models_pb2_grpc.add_ModelsServicer_to_server(ModelsServicer(runner), server)
    fine_tunes_pb2_grpc.add_FineTunesServicer_to_server(FineTunesServicer(runner), server)
    deployments_pb2_grpc.add_DeploymentsServicer_to_server(DeploymentsServicer(runner), server)
    evaluations_pb2_grpc.add_EvaluationsServicer_to_server(EvaluationsServicer(runner), server)
    speech_pb2_grpc.add_SpeechServicer_to_server(SpeechServicer(runner), server)
    server_pb2_grpc.add_ServerServicer_to_server(ServerServicer(runner), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(SERVICE_NAMES + (health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    if server.add_insecure_port(config.listen) == 0:
        pool.stop()
        raise SystemExit(f"cannot listen on {config.listen}: the address is in use or invalid")
    await server.start()
    for name in ("",) + SERVICE_NAMES:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready_message:
        print(f"Adapt serving on {config.listen} (data: {config.data_dir}, workers: {config.workers}, "
              f"executor: {config.executor})", flush=True)
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), POOL_CHECK_INTERVAL_S)
            except asyncio.TimeoutError:
                await asyncio.to_thread(pool.check)
    finally:
        log.info("shutting down")
        for name in ("",) + SERVICE_NAMES:
            await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await server.stop(SHUTDOWN_GRACE_S)
        await asyncio.to_thread(pool.stop)
        tracing.flush()
        store.close()
        print("Adapt stopped", flush=True)
