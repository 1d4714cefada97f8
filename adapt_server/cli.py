"""The server package's commands of the `adapt` CLI: `adapt serve` and `adapt quickstart`.

The SDK's `adapt` group (clients/python/adapt/cli.py) finds them through the "adapt.commands" entry-point
group this package's pyproject registers, so a client-only install of the SDK lists only the client
commands. `python -m adapt_server.cli serve ...` runs them without the `adapt` script. Only click is imported
here: the server and its dependencies load when a command runs, so `adapt --help` stays quick.
"""
from __future__ import annotations

from pathlib import Path

import click

# --- serve: transport security, keys and quotas (docs/security.md) ---------------------------------------
API_KEY_HELP = ("an admin key of the default project that clients send as 'authorization: Bearer KEY'. "
                "Visible to every local user in `ps` and /proc/PID/cmdline: prefer --api-key-file or the "
                "ADAPT_SERVER_API_KEY environment variable")
_TRUST_OPTIONS = (
    click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="PEM certificate chain: serve TLS (with --tls-key)"),
    click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="PEM private key of --tls-cert"),
    click.option("--client-ca", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="PEM CA certificate(s): require client certificates signed by it (mutual TLS); map their "
                      "identities to projects with `adapt keys map-cert`"),
    click.option("--insecure", is_flag=True,
                 help="allow API keys over plaintext on a non-loopback address (only behind a TLS proxy)"),
    click.option("--api-key", "server_api_key", envvar="ADAPT_SERVER_API_KEY", default=None, help=API_KEY_HELP),
    click.option("--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                 help="read --api-key from this file instead (not visible in the process list)"),
    click.option("--admin-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="an admin key (default project, server:admin) read from this file; when the file does not "
                      "exist the server writes a new key there (mode 600). Without it, a server that needs keys "
                      "prints its first admin key once"),
    click.option("--audit-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="the audit log's chain key (default <data-dir>/audit.key, made at first start; back it up)"),
    click.option("--require-auth", is_flag=True,
                 help="require keys on loopback too (always required on other addresses)"),
    click.option("--max-jobs-per-project", type=click.IntRange(min=0), default=100, show_default=True,
                 help="jobs (ingests, evaluations, fine-tunes) queued or running per project; 0: no limit"),
    click.option("--max-streams-per-key", type=click.IntRange(min=0), default=64, show_default=True,
                 help="streaming calls (StreamingTranscribe, Watch*) open at once per key; 0: no limit"),
)


def trust_options(command):
    """The transport, key and quota options of `serve`."""
    for option in reversed(_TRUST_OPTIONS):
        command = option(command)
    return command


def trust_settings(tls_cert, tls_key, client_ca, insecure, server_api_key, api_key_file, admin_key_file,
                   audit_key_file, require_auth, max_jobs_per_project, max_streams_per_key) -> dict:
    """ServerConfig fields from the options of `trust_options`."""
    from adapt_server.config import Quotas, TrustConfig
    if api_key_file is not None:
        if server_api_key:
            raise click.UsageError("give --api-key (or ADAPT_SERVER_API_KEY) or --api-key-file, not both")
        server_api_key = api_key_file.read_text().strip()
        if not server_api_key:
            raise click.UsageError(f"--api-key-file {api_key_file} is empty")
    return {"api_key": server_api_key or None,
            "trust": TrustConfig(tls_cert=tls_cert, tls_key=tls_key, client_ca=client_ca, insecure=insecure,
                                 admin_key_file=admin_key_file, audit_key_file=audit_key_file,
                                 require_auth=require_auth),
            "quotas": Quotas(max_active_jobs_per_project=max_jobs_per_project,
                             max_streams_per_caller=max_streams_per_key)}


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("./adapt-data"), show_default=True)
@click.option("--listen", default="127.0.0.1:50051", show_default=True, help="host:port to serve gRPC on")
@click.option("--source-root", "source_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder local sources must lie in (repeatable)")
@click.option("--model-root", "model_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder RegisterModel paths may also lie in (repeatable)")
@click.option("--workers", type=int, default=None, help="job worker processes (default: cores / 2)")
@click.option("--checkpoint-interval", "checkpoint_interval_s", type=click.FloatRange(min=0), default=60.0,
              show_default=True, help="seconds of fine-tuning between checkpoints a crashed job resumes from "
                                      "(0: after every step)")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="where models run: cuda uses CTranslate2 float16 and bfloat16/float16 for the transformers "
                   "families")
@click.option("--log-level", default="INFO", show_default=True)
# --- admission control of speech work and S3 egress (issue 16) ---
@click.option("--max-streams", type=click.IntRange(min=1), default=None,
              help="streams and unary transcriptions at once; the excess is refused with RESOURCE_EXHAUSTED and "
                   "a retry hint (default: 2 per core)")
@click.option("--max-streams-per-caller", type=click.IntRange(min=1), default=None,
              help="of those, held by one caller (an API key, else a client address) (default: --max-streams)")
@click.option("--max-decode-concurrency", type=click.IntRange(min=1), default=None,
              help="transcriptions at the model at once; the rest wait their turn, streams' finals first "
                   "(default: 1: CTranslate2 runs one call at a time, on all the cores)")
@click.option("--s3-endpoint", "s3_endpoints", multiple=True,
              help="S3-compatible endpoint URL that s3 sources may use (repeatable; the first is the default). "
                   "Without it, sources read AWS S3 only, and a source's endpoint_url is refused")
@click.option("--s3-profile", "s3_profiles", multiple=True,
              help="AWS profile of this server that s3 sources may name in options.profile (repeatable)")
@click.option("--s3-instance-metadata", is_flag=True,
              help="let the AWS SDK ask the instance-metadata service for credentials (off: "
                   "AWS_EC2_METADATA_DISABLED=true)")
# --- scale-out and observability (issue 20; docs/scaling.md) ---
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="where job shards run: in the worker processes, or as tasks on a Ray cluster")
@click.option("--ray-address", default="", envvar="RAY_ADDRESS", help="the Ray cluster (host:port) for --executor ray")
@click.option("--blob-store", default="", help="s3://bucket/prefix: blobs in S3, reachable from every node "
                                                "(default: <data-dir>/blobs); credentials from the AWS chain")
@click.option("--blob-endpoint", default="", help="endpoint URL of an S3-compatible --blob-store (MinIO, ...)")
@click.option("--train-world-size", type=click.IntRange(min=1), default=1, show_default=True,
              help="data-parallel processes per fine-tune (torch.distributed: gloo on CPU, NCCL on GPU)")
@click.option("--metrics-listen", default="", help="host:port to serve Prometheus /metrics on")
@trust_options
def serve(data_dir, listen, source_roots, model_roots, workers, checkpoint_interval_s, device, log_level,
          max_streams, max_streams_per_caller, max_decode_concurrency, s3_endpoints, s3_profiles,
          s3_instance_metadata, executor, ray_address, blob_store, blob_endpoint, train_world_size, metrics_listen,
          **trust):
    """Run the Adapt server (gRPC, health, reflection) until SIGTERM or Ctrl-C.

    Keys: on loopback without keys every caller is the admin; give --admin-key-file (or --api-key-file),
    or listen elsewhere, and every call needs a key (docs/security.md)."""
    import asyncio
    import logging

    from adapt_server.config import ServerConfig, default_worker_count
    from adapt_server.server import exit_when_threads_stop
    from adapt_server.server import serve as run_server
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = ServerConfig(data_dir=data_dir, listen=listen, source_roots=tuple(source_roots),
                          model_roots=tuple(model_roots), workers=workers or default_worker_count(),
                          checkpoint_interval_s=checkpoint_interval_s, device=device,
                          max_streams=max_streams, max_streams_per_caller=max_streams_per_caller,
                          max_decode_concurrency=max_decode_concurrency, s3_endpoints=tuple(s3_endpoints),
                          s3_profiles=tuple(s3_profiles), s3_instance_metadata=s3_instance_metadata,
                          executor=executor, ray_address=ray_address, blob_store=blob_store,
                          blob_endpoint=blob_endpoint, train_world_size=train_world_size,
                          metrics_listen=metrics_listen, **trust_settings(**trust))
    asyncio.run(run_server(config))
    exit_when_threads_stop()


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("./adapt-data"), show_default=True)
@click.option("--calls", type=int, default=6, show_default=True, help="sample calls to generate")
@click.option("--keep-serving", is_flag=True, help="leave the server running afterwards")
@click.option("--stop-after", type=click.Choice(["dataset", "all"]), default="all", show_default=True,
              help="'dataset': stop after the dataset and a first transcription (skips evaluation, "
                   "fine-tune and promotion, which take minutes on a CPU)")
def quickstart(data_dir, calls, keep_serving, stop_after):
    """Start an embedded server and walk the workflow on generated contact-center calls."""
    from adapt_server.quickstart import run_quickstart
    run_quickstart(data_dir, calls, keep_serving, stop_after=stop_after)


main = click.Group("adapt_server.cli", help="The server's commands (also `adapt serve`, `adapt quickstart`).",
                   commands=[serve, quickstart])

if __name__ == "__main__":
    main()
