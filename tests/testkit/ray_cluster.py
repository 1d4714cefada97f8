"""A real local Ray cluster for tests: `ray start --head --block` as a subprocess on loopback with a given
number of CPUs (= worker processes running tasks at once), its Python path set so that its workers import this
checkout (adapt_server and tests/testkit). One per test module (it starts in ~6-10 s); stopped by killing its
process group (`ray stop` would stop every Ray cluster of the machine)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from testkit.servers import free_port

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120


def cluster_pythonpath() -> str:
    paths = [REPO, REPO / "clients" / "python", REPO / "kernels", REPO / "tests"]
    extra = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join([str(p) for p in paths] + ([extra] if extra else []))


@dataclass
class RayCluster:
    cpus: int = 2
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    temp_dir: Path | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "RayCluster":
        # a short path: Ray's Unix socket paths live under it (108 bytes at most)
        self.temp_dir = Path(tempfile.mkdtemp(prefix="adapt-ray-", dir="/tmp"))
        log = self.temp_dir / "head.log"
        args = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block",
                "--node-ip-address", "127.0.0.1", "--port", str(self.port), "--num-cpus", str(self.cpus),
                "--num-gpus", "0", "--include-dashboard=false", "--disable-usage-stats",
                "--ray-client-server-port", str(free_port()), "--dashboard-agent-listen-port", str(free_port()),
                "--dashboard-port", str(free_port()), "--temp-dir", str(self.temp_dir)]
        env = dict(os.environ, PYTHONPATH=cluster_pythonpath(), RAY_USAGE_STATS_ENABLED="0", OMP_NUM_THREADS="1",
                   **self.env)
        self.proc = subprocess.Popen(args, stdout=open(log, "ab"), stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while "Ray runtime started" not in log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = log.read_text(errors="replace")[-3000:]
                self.stop()
                raise RuntimeError(f"the Ray head did not start:\n{text}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
