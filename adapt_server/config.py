"""Server configuration: one frozen value object built by the CLI and passed everywhere."""
from __future__ import annotations

import dataclasses
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
    # --- admission control of speech work and S3 egress (issue 16; docs/speech.md, docs/datasets.md) ---
    max_streams: int | None = None             # transcriptions (streams + unary) at once; None: from the cores
    max_streams_per_caller: int | None = None  # of those, per caller (api/identity.py); None: max_streams
    max_decode_concurrency: int | None = None  # threads that decode; None: one per core
    s3_endpoints: tuple[str, ...] = ()         # S3 endpoint URLs a source may name; the first is the default
    s3_profiles: tuple[str, ...] = ()          # AWS profiles of the server a source may name
    s3_instance_metadata: bool = False         # let boto3 ask the instance-metadata service for credentials

    def resolved(self) -> "ServerConfig":
        """The same config with every path absolute and symlinks resolved (every other field kept)."""
        return dataclasses.replace(
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
    def tmp_dir(self) -> Path:
        """Scratch space of jobs (e.g. S3 downloads during an ingest)."""
        return self.data_dir / "tmp"

    @property
    def engine_cache_dir(self) -> Path:
        """Models converted for the engines (Hugging Face -> CTranslate2), shared by the server and workers."""
        return self.data_dir / "engines"
