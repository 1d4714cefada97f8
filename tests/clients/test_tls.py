"""The TypeScript and Go clients against Adapt's own TLS port (`adapt serve --tls-cert --tls-key
--client-ca`, certificates generated here): mutual TLS with a project's API key; without the key
UNAUTHENTICATED, without a client certificate or over plaintext refused (clients/typescript/test/
real-tls.test.ts, clients/go/src/adapt/real_tls_test.go)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import grpc
import pytest

import adapt
from testkit.pki import make_pki
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # a real `adapt serve` and the node / Go toolchains
GO = Path(__file__).resolve().parents[2] / "clients" / "go"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls-clients")
    pki = make_pki(root / "pki")
    client = pki.client("clients.internal")
    server = ServerProcess(root / "data", [root], extra_args=[
        "--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key), "--client-ca", str(pki.ca),
        "--admin-key-file", str(root / "admin.key")],
        credentials=grpc.ssl_channel_credentials(pki.ca_pem, client.key_pem, client.cert_pem)).start()
    admin = adapt.Client(server.target, api_key=(root / "admin.key").read_text().strip(), root_certificates=pki.ca_pem,
                         certificate_chain=client.cert_pem, private_key=client.key_pem)
    key = admin.keys.create(["models:read"], project="clients", name="client tests").secret
    yield {"ADAPT_TEST_TLS_TARGET": f"localhost:{server.port}", "ADAPT_TEST_TLS_CA": str(pki.ca),
           "ADAPT_TEST_TLS_CLIENT_CERT": str(client.cert), "ADAPT_TEST_TLS_CLIENT_KEY": str(client.key),
           "ADAPT_TEST_TLS_API_KEY": key}
    server.stop()


def test_typescript_client_against_the_tls_port(node_toolchain, tls_server):
    build = subprocess.run(["node_modules/.bin/tsc", "-p", "tsconfig.json"], cwd=node_toolchain,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    result = subprocess.run(["node", "--test", "dist/test/real-tls.test.js"], cwd=node_toolchain,
                            env={**os.environ, **tls_server}, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    counts = {k: int(v) for k, v in re.findall(r"^# (pass|fail|skipped) (\d+)$", output, re.MULTILINE)}
    assert result.returncode == 0 and counts == {"pass": 1, "fail": 0, "skipped": 0}, output[-3000:]


def test_go_client_against_the_tls_port(go_toolchain, tls_server):
    result = subprocess.run(["go", "test", "-count=1", "-v", "-run", "TestRealTLSServer", "adapt"], cwd=GO,
                            env={**os.environ, **go_toolchain, **tls_server}, capture_output=True, text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "--- PASS: TestRealTLSServer" in output, output[-3000:]
