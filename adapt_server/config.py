"""Server configuration: one frozen value object built by the CLI and passed everywhere."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
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
    device: str = "cpu"                        # "cpu" | "cuda": where engines run (CTranslate2 float16 and the
                                               # transformers backend's bfloat16/float16 on CUDA)

    def resolved(self) -> "ServerConfig":
        """The same config with every path absolute and symlinks resolved."""
        return ServerConfig(
            data_dir=self.data_dir.expanduser().resolve(),
            listen=self.listen,
            source_roots=tuple(p.expanduser().resolve() for p in self.source_roots),
            model_roots=tuple(p.expanduser().resolve() for p in self.model_roots),
            workers=self.workers,
            api_key=self.api_key,
            max_job_attempts=self.max_job_attempts,
            checkpoint_interval_s=self.checkpoint_interval_s,
            device=self.device,
        )

    @property
    def database_path(self) -> Path:
        return self.data_dir / "adapt.sqlite3"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def tmp_dir(self) -> Path:
        """Scratch space of jobs (e.g. S3 downloads during an ingest)."""
        return self.data_dir / "tmp"

    @property
    def engine_cache_dir(self) -> Path:
        """Models converted for the engines (Hugging Face -> CTranslate2), shared by the server and workers."""
        return self.data_dir / "engines"
