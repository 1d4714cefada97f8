"""Server configuration: one frozen value object built by the CLI and passed everywhere."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("./adapt-data")
DEFAULT_LISTEN = "127.0.0.1:50051"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # largest gRPC message accepted (an uploaded audio file)


def default_worker_count() -> int:
    """Worker processes for CPU-heavy jobs: one per two cores, at least 1, at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) // 2))


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path = DEFAULT_DATA_DIR          # SQLite database, blobs, models
    listen: str = DEFAULT_LISTEN               # host:port of the gRPC server
    source_roots: tuple[Path, ...] = ()        # local sources must resolve inside one of these
    model_roots: tuple[Path, ...] = ()         # RegisterModel paths may also resolve inside these
    workers: int = field(default_factory=default_worker_count)  # job worker processes
    api_key: str | None = None                 # when set, every RPC but health needs "authorization: Bearer KEY"
    max_job_attempts: int = 3                  # runs of a job interrupted by crashes before it FAILS
    checkpoint_interval_s: float = 60.0        # seconds of fine-tuning between checkpoints (0: every step)
    # --- scale-out and observability (issue 20; docs/scaling.md) ---
    executor: str = "local"                    # where job shards run: "local" (the worker process) or "ray"
    ray_address: str = ""                      # the Ray cluster to submit shards to (executor "ray")
    blob_store: str = ""                       # "" = <data_dir>/blobs; "s3://bucket/prefix" = S3 (any node reaches it)
    blob_endpoint: str = ""                    # an S3-compatible endpoint URL for blob_store ("" = AWS)
    train_world_size: int = 1                  # data-parallel training processes of a fine-tune (torch.distributed)
    metrics_listen: str = ""                   # host:port of the Prometheus /metrics endpoint ("" = none)

    def resolved(self) -> "ServerConfig":
        """The same config with every path absolute and symlinks resolved."""
        return replace(
            self,
            data_dir=self.data_dir.expanduser().resolve(),
            source_roots=tuple(p.expanduser().resolve() for p in self.source_roots),
            model_roots=tuple(p.expanduser().resolve() for p in self.model_roots),
        )

    @property
    def database_path(self) -> Path:
        return self.data_dir / "adapt.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def blob_cache_dir(self) -> Path:
        """This machine's cache of an S3 blob store (store/blobstore_s3.py)."""
        return self.data_dir / "blob-cache"

    @property
    def metrics_dir(self) -> Path:
        """Prometheus multiprocess files of the server and its worker processes (observability/metrics.py)."""
        return self.data_dir / "metrics"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space of jobs (e.g. S3 downloads during an ingest)."""
        return self.data_dir / "tmp"

    @property
    def engine_cache_dir(self) -> Path:
        """Models converted for the engines (Hugging Face -> CTranslate2), shared by the server and workers."""
        return self.data_dir / "engines"
