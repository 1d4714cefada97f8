"""What the trust boundary costs per call: the same `adapt serve` build, in the same run, (a) on loopback with
auth off and plaintext (the peer), (b) with TLS, required client certificates and a project's API key.

Measures, over one long-lived channel each (as a client keeps one): GetModel (authenticated, scope-checked,
not audited), GetDeployment, and UpdateDeployment (audited: one HMAC-chained row per call, written before
the answer). Prints p50/p95 in ms and the ratios keys/off. Certificates come from tests/testkit/pki.py
(cryptography, a dev dependency).

Run: .venv/bin/python bench/auth_bench.py [--calls 300]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import grpc

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from adapt.v1 import deployments_pb2, deployments_pb2_grpc, models_pb2, models_pb2_grpc  # noqa: E402
from testkit.pki import make_pki  # noqa: E402
from testkit.servers import ServerProcess  # noqa: E402

import adapt  # noqa: E402


def timings(call, n: int) -> list[float]:
    for _ in range(20):  # warm-up: connection, thread pool, SQLite pages
        call()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(channel: grpc.Channel, metadata, n: int) -> dict[str, list[float]]:
    models = models_pb2_grpc.ModelsStub(channel)
    deployments = deployments_pb2_grpc.DeploymentsStub(channel)
    deployments.UpdateDeployment(deployments_pb2.UpdateDeploymentRequest(
        deployment_id="bench", routes={"stt": "whisper-tiny.en"}), metadata=metadata)
    flip = iter(range(10**9))
    return {
        "GetModel": timings(lambda: models.GetModel(models_pb2.GetModelRequest(id="whisper-tiny.en"),
                                                    metadata=metadata), n),
        "GetDeployment": timings(lambda: deployments.GetDeployment(
            deployments_pb2.GetDeploymentRequest(id="bench"), metadata=metadata), n),
        "UpdateDeployment (audited)": timings(lambda: deployments.UpdateDeployment(
            deployments_pb2.UpdateDeploymentRequest(deployment_id="bench", description=f"d{next(flip)}",
                                                    routes={"stt": "whisper-tiny.en"}), metadata=metadata), n),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pki = make_pki(root / "pki")
        client_pair = pki.client("bench")
        credentials = grpc.ssl_channel_credentials(pki.ca_pem, client_pair.key_pem, client_pair.cert_pem)
        off = ServerProcess(root / "off", [root]).start()
        keyed = ServerProcess(root / "keys", [root], credentials=credentials, extra_args=[
            "--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key), "--client-ca", str(pki.ca),
            "--admin-key-file", str(root / "admin.key")]).start()
        try:
            admin = adapt.Client(keyed.target, api_key=(root / "admin.key").read_text().strip(),
                                 root_certificates=pki.ca_pem, certificate_chain=client_pair.cert_pem,
                                 private_key=client_pair.key_pem)
            key = admin.keys.create(["models:read", "deployments:write"], project="bench").secret
            results = {}
            for _ in range(2):  # interleaved twice; the second pass is reported
                results["off"] = measure(grpc.insecure_channel(off.target), (), args.calls)
                results["keys"] = measure(grpc.secure_channel(keyed.target, credentials),
                                          (("authorization", f"Bearer {key}"),), args.calls)
        finally:
            off.stop()
            keyed.stop()
    print(f"{'call':28} {'off p50':>8} {'off p95':>8} {'keys p50':>9} {'keys p95':>9} {'p50 ratio':>10}")
    for name in results["off"]:
        a, b = results["off"][name], results["keys"][name]
        p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1]  # noqa: E731
        print(f"{name:28} {statistics.median(a):8.2f} {p(a, 95):8.2f} {statistics.median(b):9.2f} {p(b, 95):9.2f} "
              f"{statistics.median(b) / statistics.median(a):9.2f}x")


if __name__ == "__main__":
    main()
