"""`adapt serve`: the grpc.aio server with health, reflection, the Adapt services and the worker pool."""
from __future__ import annotations

import asyncio
import logging
import signal
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from adapt.v1 import (datasets_pb2, datasets_pb2_grpc, models_pb2, models_pb2_grpc, server_pb2, server_pb2_grpc,
                      speech_pb2, speech_pb2_grpc)
from adapt.v1 import deployments_pb2, deployments_pb2_grpc, fine_tunes_pb2, fine_tunes_pb2_grpc
from adapt.v1 import audit_pb2, audit_pb2_grpc, evaluations_pb2, evaluations_pb2_grpc, keys_pb2, keys_pb2_grpc
from adapt_server import egress
from adapt_server.api.audit import AuditServicer
from adapt_server.api.auth import AuthInterceptor
from adapt_server.api.context import Security, ServiceRunner
from adapt_server.api.datasets import DatasetsServicer
from adapt_server.api.deployments import DeploymentsServicer
from adapt_server.api.evaluations import EvaluationsServicer
from adapt_server.api.fine_tunes import FineTunesServicer
from adapt_server.api.keys import KeysServicer
from adapt_server.api.models import ModelsServicer
from adapt_server.api.server_status import ServerServicer
from adapt_server.api.speech import SpeechServicer
from adapt_server.config import MAX_MESSAGE_BYTES, ServerConfig
from adapt_server.engines.registry import EngineRegistry
from adapt_server.jobs.pool import WorkerPool
from adapt_server.models.service import ModelService
from adapt_server.security.bootstrap import TrustRuntime, start_trust
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
    keys_pb2.DESCRIPTOR.services_by_name["Keys"].full_name,
    audit_pb2.DESCRIPTOR.services_by_name["Audit"].full_name,
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
    store.blobs.clean_tmp()
    for job in store.jobs.recover("the server stopped while this job was running"):
        log.warning("job %s (%s) -> %s", job.id, job.resource_id, job.state)
    ModelService(config, store).register_bundled()
    return store


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


async def serve(config: ServerConfig, ready_message: bool = True) -> None:
    egress.configure()  # first: dependencies' phone-home switches off, outbound attempts recorded (egress.py)
    config = config.resolved()
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(max_workers=BLOCKING_THREADS, thread_name_prefix="adapt-blocking"))
    store = prepare_data_dir(config)
    trust = start_trust(config, store, say=lambda text: print(text, flush=True))  # SystemExit: refused config
    pool = WorkerPool(config, store, JOB_HANDLERS)
    pool.start()
    server = grpc.aio.server(interceptors=[AuthInterceptor(trust, config.quotas)], options=[
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES)])
    runner = ServiceRunner(config, EngineRegistry(cache_dir=config.engine_cache_dir), Streams(),
                           Security(forget_key=trust.authenticator.forget, audit=trust.audit))
    datasets_pb2_grpc.add_DatasetsServicer_to_server(DatasetsServicer(runner), server)
    models_pb2_grpc.add_ModelsServicer_to_server(ModelsServicer(runner), server)
    fine_tunes_pb2_grpc.add_FineTunesServicer_to_server(FineTunesServicer(runner), server)
    deployments_pb2_grpc.add_DeploymentsServicer_to_server(DeploymentsServicer(runner), server)
    evaluations_pb2_grpc.add_EvaluationsServicer_to_server(EvaluationsServicer(runner), server)
    speech_pb2_grpc.add_SpeechServicer_to_server(SpeechServicer(runner), server)
    server_pb2_grpc.add_ServerServicer_to_server(ServerServicer(runner), server)
    keys_pb2_grpc.add_KeysServicer_to_server(KeysServicer(runner), server)
    audit_pb2_grpc.add_AuditServicer_to_server(AuditServicer(runner), server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(SERVICE_NAMES + (health.SERVICE_NAME, reflection.SERVICE_NAME), server)
    if add_port(server, config, trust) == 0:
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
        transport = ("mutual TLS" if config.trust.client_ca else "TLS") if trust.tls else "plaintext"
        keys = "API keys required" if trust.auth_required else "no keys (loopback only, every caller is admin)"
        print(f"Adapt serving on {config.listen} ({transport}, {keys}; data: {config.data_dir}, "
              f"workers: {config.workers})", flush=True)
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
        store.close()
        print("Adapt stopped", flush=True)
