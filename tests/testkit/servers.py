"""Starts a real `adapt serve` subprocess for end-to-end tests, and stops or kills it."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    data_dir: Path
    source_roots: list[Path]
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)  # extra environment (e.g. AWS credentials)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    # how to reach a TLS server (grpc.ssl_channel_credentials); None: plaintext
    credentials: grpc.ChannelCredentials | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-server.log"

    def start(self) -> "ServerProcess":
        args = [sys.executable, "-m", "adapt_server.cli", "serve", "--data-dir", str(self.data_dir),
                "--listen", self.target, "--workers", "1", *self.extra_args]
        for root in self.source_roots:
            args += ["--source-root", str(root)]
        env = dict(os.environ, PYTHONUNBUFFERED="1", **self.env)
        self.proc = subprocess.Popen(args, stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """Until the server's health check says SERVING (the port opens once the data directory is migrated
        and recovered; health says SERVING once the job workers run)."""
        channel = (grpc.secure_channel(self.target, self.credentials) if self.credentials is not None
                   else grpc.insecure_channel(self.target))
        health = health_pb2_grpc.HealthStub(channel)
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"adapt serve exited ({self.proc.returncode}):\n{self.log()}")
                try:
                    status = health.Check(health_pb2.HealthCheckRequest(), timeout=0.5).status
                    if status == health_pb2.HealthCheckResponse.SERVING:
                        return
                    time.sleep(0.1)
                except grpc.RpcError:
                    time.sleep(0.1)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"adapt serve did not start:\n{self.log()}")
        finally:
            channel.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM (graceful shutdown); returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def kill9(self) -> None:
        """kill -9 of the server process only (its workers die with it by PDEATHSIG)."""
        self.proc.kill()
        self.proc.wait()

    def restart(self) -> "ServerProcess":
        return self.start()
