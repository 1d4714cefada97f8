"""`adapt serve`: the grpc.aio server with health, reflection, the Adapt services and the worker pool.

Readiness (grpc.health.v1): the port opens first with every service NOT_SERVING while the data directory is
migrated and interrupted jobs are recovered (RPCs meanwhile answer UNAVAILABLE); then SERVING. The Speech
service (`adapt.v1.Speech`) turns NOT_SERVING while every transcription slot is taken (a new stream or
Transcribe would be refused with RESOURCE_EXHAUSTED) and SERVING again when one frees; the overall status ("")
and the other services stay SERVING, since the control plane has its own threads. At shutdown everything is
NOT_SERVING first.

Shutdown (SIGTERM/SIGINT): new RPCs are refused, RPCs in flight get SHUTDOWN_GRACE_S, then they are cancelled
and every decode stops at its next window or batch (speech/capacity.py); the worker pool stops alongside.
`exit_when_threads_stop` (after the event loop) ends the process within EXIT_MARGIN_S even if a thread is
still inside one long model call.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapt.v1 import (datasets_pb2, datasets_pb2_grpc, models_pb2, models_pb2_grpc, server_pb2, server_pb2_grpc,
                      speech_pb2, speech_pb2_grpc)
from adapt.v1 import deployments_pb2, deployments_pb2_grpc, fine_tunes_pb2, fine_tunes_pb2_grpc
from adapt.v1 import audit_pb2, audit_pb2_grpc, evaluations_pb2, evaluations_pb2_grpc, keys_pb2, keys_pb2_grpc
from adapt.v1 import lineage_pb2, lineage_pb2_grpc, voices_pb2, voices_pb2_grpc
from adapt_server import egress
from adapt_server.api.audit import AuditServicer
from adapt_server.api.auth import AuthInterceptor
from adapt_server.api.context import Security, ServiceRunner
from adapt_server.api.datasets import DatasetsServicer
from adapt_server.api.deployments import DeploymentsServicer
from adapt_server.api.evaluations import EvaluationsServicer
from adapt_server.api.metrics_interceptor import MetricsInterceptor
from adapt_server.api.fine_tunes import FineTunesServicer
from adapt_server.api.keys import KeysServicer
from adapt_server.api.lineage import LineageServicer
from adapt_server.api.models import ModelsServicer
from adapt_server.api.server_status import ServerServicer
from adapt_server.api.speech import SpeechServicer
from adapt_server.api.voices import VoicesServicer
from adapt_server.config import MAX_MESSAGE_BYTES, ServerConfig
from adapt_server.engines.registry import EngineRegistry
from adapt_server.jobs.pool import WorkerPool
from adapt_server.models.service import ModelService
from adapt_server.observability import metrics, tracing
from adapt_server.security.bootstrap import TrustRuntime, start_trust
from adapt_server.speech.capacity import DecodeLimits, SpeechCapacity
from adapt_server.store.datasets import INGEST_JOB
from adapt_server.store.evaluations import EVALUATION_JOB
from adapt_server.store.fine_tunes import FINE_TUNE_JOB
from adapt_server.store.store import Store
from adapt_server.store.voices import VOICE_BUILD_JOB

log = logging.getLogger("adapt.server")
SERVICE_NAMES = (
    datasets_pb2.DESCRIPTOR.services_by_name["Datasets"].full_name,
    models_pb2.DESCRIPTOR.services_by_name["Models"].full_name,
    speech_pb2.DESCRIPTOR.services_by_name["Speech"].full_name,
    server_pb2.DESCRIPTOR.services_by_name["Server"].full_name,
    fine_tunes_pb2.DESCRIPTOR.services_by_name["FineTunes"].full_name,
    deployments_pb2.DESCRIPTOR.services_by_name["Deployments"].full_name,
    evaluations_pb2.DESCRIPTOR.services_by_name["Evaluations"].full_name,
    keys_pb2.DESCRIPTOR.services_by_name["Keys"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["Audit"].full_name,
    voices_pb2.DESCRIPTOR.services_by_name["Voices"].full_name,
    lineage_pb2.DESCRIPTOR.services_by_name["Lineage"].full_name,
)
JOB_HANDLERS = {  # job kind -> the function its worker runs (imported in the worker when first needed)
    INGEST_JOB: "adapt_server.intake.ingest:run_ingest_job",
    EVALUATION_JOB: "adapt_server.evaluation.job:run_evaluation_job",
    FINE_TUNE_JOB: "adapt_server.finetunes.job:run_fine_tune_job",
    VOICE_BUILD_JOB: "adapt_server.voices.job:run_voice_build_job",
}
SPEECH_SERVICE = speech_pb2.DESCRIPTOR.services_by_name["Speech"].full_name
SHUTDOWN_GRACE_S = 5.0
EXIT_MARGIN_S = 3.0  # after the server stopped, threads still inside a model call get this long, then the process exits
CONTROL_THREADS = 8  # control-plane threads (SQLite use cases, small RPCs); decoding has its own (speech/capacity.py)
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


def configure_s3_egress(config: ServerConfig) -> None:
    """Without --s3-instance-metadata, boto3 never asks the instance-metadata address for credentials (set in
    this process's environment, so the workers spawned later inherit it)."""
    if not config.s3_instance_metadata:
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def add_port(server, config: ServerConfig, trust: TrustRuntime) -> int:
    """Listens on config.listen: TLS with --tls-cert/--tls-key (client certificates required and verified
    against --client-ca when given), else plaintext (start_trust refused plaintext where it must not be)."""
    if not trust.tls:
        return server.add_insecure_port(config.listen)
    t = config.trust
    credentials = grpc.ssl_server_credentials(
        [(t.tls_key.read_bytes(), t.tls_cert.read_bytes())],
        root_certificates=t.client_ca.read_bytes() if t.client_ca else None,
        require_client_auth=t.client_ca is not None)
    return server.add_secure_port(config.listen, credentials)
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
    configure_s3_egress(config)
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=CONTROL_THREADS, thread_name_prefix="adapt-control"))
    # the data directory is migrated and recovered first: the trust boundary's keys live in it
    store = await asyncio.to_thread(prepare_data_dir, config)
    trust = start_trust(config, store, say=lambda text: print(text, flush=True))  # SystemExit: refused config
    observed = observability(config)  # before the job workers start: they write the metrics files too
    start_metrics_endpoint(config)
    health_servicer = health.aio.HealthServicer()

    def speech_health(_saturated: bool) -> None:  # from admission (any thread): follow its current state
        def update() -> None:
            status = (health_pb2.HealthCheckResponse.NOT_SERVING
                      if capacity.admission.saturated or not runner.ready.is_set()
                      else health_pb2.HealthCheckResponse.SERVING)
            asyncio.ensure_future(health_servicer.set(SPEECH_SERVICE, status))
        loop.call_soon_threadsafe(update)

    capacity = SpeechCapacity(DecodeLimits.resolve(config.max_streams, config.max_streams_per_caller,
                                                   config.max_decode_concurrency), on_saturation=speech_health)
    # outermost first: metrics and traces see every call, the trust boundary's refusals included
    server = grpc.aio.server(interceptors=[*observed, AuthInterceptor(trust, config.quotas)], options=[
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    runner = ServiceRunner(config, EngineRegistry(cache_dir=config.engine_cache_dir, device=config.device),
                           capacity, Security(forget_key=trust.authenticator.forget, audit=trust.audit), ready=False)
    datasets_pb2_grpc.add_DatasetsServicer_to_server(DatasetsServicer(runner), server)
    models_pb2_grpc.add_ModelsServicer_to_server(ModelsServicer(runner), server)
    fine_tunes_pb2_grpc.add_FineTunesServicer_to_server(FineTunesServicer(runner), server)
    deployments_pb2_grpc.add_DeploymentsServicer_to_server(DeploymentsServicer(runner), server)
    evaluations_pb2_grpc.add_EvaluationsServicer_to_server(EvaluationsServicer(runner), server)
    speech_pb2_grpc.add_SpeechServicer_to_server(SpeechServicer(runner), server)
    voices_pb2_grpc.add_VoicesServicer_to_server(VoicesServicer(runner), server)
    lineage_pb2_grpc.add_LineageServicer_to_server(LineageServicer(runner), server)
    server_pb2_grpc.add_ServerServicer_to_server(ServerServicer(runner), server)
    keys_pb2_grpc.add_KeysServicer_to_server(KeysServicer(runner), server)
    audit_pb2_grpc.add_AuditServicer_to_server(AuditServicer(runner), server)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(SERVICE_NAMES + (health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    for name in ("",) + SERVICE_NAMES:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    if add_port(server, config, trust) == 0:
        capacity.close()
        store.close()
        raise SystemExit(f"cannot listen on {config.listen}: the address is in use or invalid")
    await server.start()  # health answers NOT_SERVING, every other RPC UNAVAILABLE, until the workers run
    pool = WorkerPool(config, store, JOB_HANDLERS)
    pool.start()
    runner.ready.set()
    for name in ("",) + SERVICE_NAMES:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if ready_message:
        transport = ("mutual TLS" if config.trust.client_ca else "TLS") if trust.tls else "plaintext"
        keys = "API keys required" if trust.auth_required else "no keys (loopback only, every caller is admin)"
        print(f"Adapt serving on {config.listen} ({transport}, {keys}; data: {config.data_dir}, "
              f"workers: {config.workers}, executor: {config.executor})", flush=True)
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
        # RPCs in flight get the grace period, then are cancelled (their decodes stop at the next batch);
        # the workers stop meanwhile
        await asyncio.gather(server.stop(SHUTDOWN_GRACE_S), asyncio.to_thread(pool.stop))
        capacity.close()
        tracing.flush()
        store.close()
        print("Adapt stopped", flush=True)


def exit_when_threads_stop(margin_s: float = EXIT_MARGIN_S) -> None:
    """After `serve` returned: waits up to margin_s for the threads still running (a decode inside its last
    model call), then ends the process even if one is left, so shutdown never outlives its grace period by
    more than that (Python would otherwise wait for every executor thread at exit)."""
    deadline = time.monotonic() + margin_s
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
    left = [t.name for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon
            and t.is_alive()]
    if left:
        log.warning("threads still busy %.0f s after the server stopped (%s): exiting anyway", margin_s,
                    ", ".join(left))
        logging.shutdown()
        os._exit(0)
