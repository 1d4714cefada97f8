"""The server package's commands of the `adapt` CLI: `adapt serve` and `adapt quickstart`.

The SDK's `adapt` group (clients/python/adapt/cli.py) finds them through the "adapt.commands" entry-point
group this package's pyproject registers, so a client-only install of the SDK lists only the client
commands. `python -m adapt_server.cli serve ...` runs them without the `adapt` script. Only click is imported
here: the server and its dependencies load when a command runs, so `adapt --help` stays quick.
"""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("./adapt-data"), show_default=True)
@click.option("--listen", default="127.0.0.1:50051", show_default=True, help="host:port to serve gRPC on")
@click.option("--source-root", "source_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder local sources must lie in (repeatable)")
@click.option("--model-root", "model_roots", multiple=True, type=click.Path(path_type=Path),
              help="folder RegisterModel paths may also lie in (repeatable)")
@click.option("--workers", type=int, default=None, help="job worker processes (default: cores / 2)")
@click.option("--api-key", "server_api_key", envvar="ADAPT_SERVER_API_KEY", default=None,
              help="require this key from clients")
@click.option("--checkpoint-interval", "checkpoint_interval_s", type=click.FloatRange(min=0), default=60.0,
              show_default=True, help="seconds of fine-tuning between checkpoints a crashed job resumes from "
                                      "(0: after every step)")
@click.option("--log-level", default="INFO", show_default=True)
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
def serve(data_dir, listen, source_roots, model_roots, workers, server_api_key, checkpoint_interval_s, log_level,
          executor, ray_address, blob_store, blob_endpoint, train_world_size, metrics_listen):
    """Run the Adapt server (gRPC, health, reflection) until SIGTERM or Ctrl-C."""
    import asyncio
    import logging

    from adapt_server.config import ServerConfig, default_worker_count
    from adapt_server.server import serve as run_server
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    config = ServerConfig(data_dir=data_dir, listen=listen, source_roots=tuple(source_roots),
                          model_roots=tuple(model_roots), workers=workers or default_worker_count(),
                          api_key=server_api_key, checkpoint_interval_s=checkpoint_interval_s,
                          executor=executor, ray_address=ray_address, blob_store=blob_store,
                          blob_endpoint=blob_endpoint, train_world_size=train_world_size,
                          metrics_listen=metrics_listen)
    asyncio.run(run_server(config))


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
