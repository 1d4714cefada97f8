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
class Quotas:
    """Per-project and per-caller limits; beyond them a call gets RESOURCE_EXHAUSTED with a retry hint (the
    sizes of requests per RPC are in adapt_server/security/methods.py). 0: no limit."""
    max_active_jobs_per_project: int = 100  # jobs queued or running (ingests, evaluations, fine-tunes) per project
    max_streams_per_caller: int = 64        # streaming calls (StreamingTranscribe, Watch*) open at once per caller


@dataclass(frozen=True)
class TrustConfig:
    """Transport security and the keys the server starts with (docs/security.md)."""
    tls_cert: Path | None = None        # PEM certificate chain of the server: TLS on the gRPC port
    tls_key: Path | None = None         # its PEM private key
    client_ca: Path | None = None       # PEM CA(s) that sign client certificates: mutual TLS, required
    insecure: bool = False              # allow API keys over plaintext on a non-loopback address
    admin_key_file: Path | None = None  # an admin key read at start (written there, 0600, when absent)
    audit_key_file: Path | None = None  # the audit chain's HMAC key (default <data-dir>/audit.key)
    require_auth: bool = False          # keys even on loopback (auth is always on for other addresses)


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
    # --- the trust boundary (issue 17; docs/security.md) ---
    quotas: Quotas = field(default_factory=Quotas)
    trust: TrustConfig = field(default_factory=TrustConfig)
    # --- scale-out and observability (issue 20; docs/scaling.md) ---
    executor: str = "local"                    # where job shards run: "local" (the worker process) or "ray"
    ray_address: str = ""                      # the Ray cluster to submit shards to (executor "ray")
    blob_store: str = ""                       # "" = <data_dir>/blobs; "s3://bucket/prefix" = S3 (any node reaches it)
    blob_endpoint: str = ""                    # an S3-compatible endpoint URL for blob_store ("" = AWS)
    train_world_size: int = 1                  # data-parallel training processes of a fine-tune (torch.distributed)
    metrics_listen: str = ""                   # host:port of the Prometheus /metrics endpoint ("" = none)

    def resolved(self) -> "ServerConfig":
        """The same config with every path absolute and symlinks resolved (every other field kept)."""
        trust = self.trust
        trust_paths = {name: getattr(trust, name).expanduser().resolve()
                       for name in ("tls_cert", "tls_key", "client_ca", "admin_key_file", "audit_key_file")
                       if getattr(trust, name) is not None}
        return replace(
            self,
            data_dir=self.data_dir.expanduser().resolve(),
            source_roots=tuple(p.expanduser().resolve() for p in self.source_roots),
            model_roots=tuple(p.expanduser().resolve() for p in self.model_roots),
            trust=replace(trust, **trust_paths),
        )

    @property
    def audit_key_path(self) -> Path:
        """The audit chain's HMAC key: --audit-key-file, else <data-dir>/audit.key."""
        return self.trust.audit_key_file or self.data_dir / "audit.key"

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
