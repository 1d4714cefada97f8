"""Fuzzed requests for every RPC of every Adapt service against a real `adapt serve` (issue 16): mutated valid
requests (raw bytes and field values) and random bytes, hypothesis with a fixed seed and a bounded count.
Required: 0 INTERNAL, 0 UNKNOWN from our code, 0 hangs (every call has a deadline), the server never dies.
The longer run is bench/rpc_fuzz_bench.py."""
from __future__ import annotations

import collections

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testkit import rpc_fuzz
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve`

EXAMPLES_PER_METHOD = 12
METHODS = rpc_fuzz.methods()


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-root")
    write_audio(root / "a.wav", tone(1.0), 16000, "wav")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, fuzz_root):
    proc = ServerProcess(tmp_path_factory.mktemp("fuzz-data") / "adapt-data", [fuzz_root]).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target, options=[("grpc.max_send_message_length", 64 << 20)]) as ch:
        yield ch


@pytest.fixture(scope="module")
def outcomes():
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    yield counts
    print("\nRPC fuzz outcomes:", {path: dict(c) for path, c in sorted(counts.items())})


def test_every_service_method_is_fuzzed():
    services = {method.path.split("/")[1] for method in METHODS}
    assert services == {f"adapt.v1.{s}" for s in ("Datasets", "Deployments", "Evaluations", "FineTunes", "Models",
                                                  "Server", "Speech", "Voices", "Lineage")}
    assert len(METHODS) >= 30


@pytest.mark.parametrize("method", METHODS, ids=lambda m: m.path.rsplit("/", 1)[1])
def test_fuzzed_requests_never_break_the_server(server, channel, fuzz_root, outcomes, method):
    seeds = rpc_fuzz.seeds(str(fuzz_root)).get(method.path.rsplit("/", 1)[1]) or [method.request()]

    @settings(max_examples=EXAMPLES_PER_METHOD, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        seed = data.draw(st.sampled_from(seeds))
        if method.client_streaming:
            messages = [data.draw(rpc_fuzz.variant(m)) if data.draw(st.booleans()) else m.SerializeToString()
                        for m in seed]
        else:
            messages = [data.draw(rpc_fuzz.variant(seed))]
        outcome = rpc_fuzz.call(channel, method, messages)
        outcomes[method.path][outcome] += 1
        assert outcome not in rpc_fuzz.FAILURES, f"{method.path}: {outcome} for {messages[0][:80]!r}"
        assert server.alive(), f"the server died on {method.path}"

    run()
    assert server.alive()
