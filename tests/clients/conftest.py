"""Fixtures of the client tests: one `adapt serve` (with an API key) shared by the TypeScript and Go suites,
and the toolchains they need (a clean skip on a developer machine without node or Go; a failure in CI)."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from testkit.servers import ServerProcess

REPO = Path(__file__).resolve().parents[2]
TYPESCRIPT = REPO / "clients" / "typescript"
GO = REPO / "clients" / "go"
API_KEY = "client-tests-key"


def require_tools(*needs: tuple[str, bool]) -> None:
    """Skips (developer machine) or fails (CI=true) unless every `(what, present)` is present."""
    missing = [what for what, present in needs if not present]
    if not missing:
        return
    reason = f"missing {', '.join(missing)}: run `bash scripts/setup_clients.sh`"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the client tests; {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def node_toolchain() -> Path:
    """clients/typescript with its node_modules (npm ci)."""
    require_tools(("node", shutil.which("node") is not None),
                  ("clients/typescript/node_modules", (TYPESCRIPT / "node_modules" / ".bin" / "tsc").exists()))
    return TYPESCRIPT


@pytest.fixture(scope="session")
def go_toolchain() -> dict[str, str]:
    """The environment that builds clients/go in GOPATH mode against Debian's Go packages."""
    require_tools(("go (golang-go)", shutil.which("go") is not None),
                  ("golang-google-grpc-dev", Path("/usr/share/gocode/src/google.golang.org/grpc").is_dir()),
                  ("golang-google-protobuf-dev", Path("/usr/share/gocode/src/google.golang.org/protobuf").is_dir()))
    return {"GO111MODULE": "off", "GOPATH": f"{GO}{os.pathsep}/usr/share/gocode", "GOFLAGS": ""}


@dataclass(frozen=True)
class LiveServer:
    target: str
    api_key: str
    source_dir: Path   # inside the server's --source-root: the clients' tests write dataset folders here
    audio_dir: Path    # ../shared/realspeech/asr

    def env(self) -> dict[str, str]:
        """What the node and Go test suites read to find this server instead of starting their own."""
        return {"ADAPT_TEST_TARGET": self.target, "ADAPT_TEST_API_KEY": self.api_key,
                "ADAPT_TEST_SOURCE_DIR": str(self.source_dir), "ADAPT_TEST_AUDIO_DIR": str(self.audio_dir)}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, realspeech) -> LiveServer:
    root = tmp_path_factory.mktemp("client-server")
    sources = root / "sources"
    sources.mkdir()
    server = ServerProcess(root / "adapt-data", [sources], extra_args=["--api-key", API_KEY]).start()
    yield LiveServer(server.target, API_KEY, sources, realspeech / "asr")
    if server.alive():
        server.stop()
