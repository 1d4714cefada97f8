"""The long run of the RPC fuzz suite (tests/e2e/test_rpc_fuzz.py runs a bounded one in CI): fuzzed requests
for every RPC of every service against one real `adapt serve`, many examples per method, a random seed each
run (printed; pass --seed to replay). Prints outcomes per method and the totals; exits 1 on any INTERNAL,
UNKNOWN from our code, hang, or server death.

    python bench/rpc_fuzz_bench.py --examples 200
"""
from __future__ import annotations

import argparse
import collections
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import grpc  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from testkit import rpc_fuzz  # noqa: E402
from testkit.audio import tone, write_audio  # noqa: E402
from testkit.servers import ServerProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200, help="examples per method")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    run_seed = args.seed if args.seed is not None else random.randrange(2 ** 32)
    work = Path(tempfile.mkdtemp(prefix="rpc-fuzz-"))
    root = work / "root"
    root.mkdir()
    write_audio(root / "a.wav", tone(1.0), 16000, "wav")
    server = ServerProcess(work / "data", [root]).start()
    channel = grpc.insecure_channel(server.target, options=[("grpc.max_send_message_length", 64 << 20)])
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures = []
    started = time.monotonic()
    print(f"seed {run_seed}, {args.examples} examples per method, server {server.target}", flush=True)
    for method in rpc_fuzz.methods():
        seeds = rpc_fuzz.seeds(str(root)).get(method.path.rsplit("/", 1)[1]) or [method.request()]

        @seed(run_seed)
        @settings(max_examples=args.examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(st.data())
        def run(data):
            chosen = data.draw(st.sampled_from(seeds))
            if method.client_streaming:
                messages = [data.draw(rpc_fuzz.variant(m)) if data.draw(st.booleans()) else m.SerializeToString()
                            for m in chosen]
            else:
                messages = [data.draw(rpc_fuzz.variant(chosen))]
            outcome = rpc_fuzz.call(channel, method, messages)
            counts[method.path][outcome] += 1
            if outcome in rpc_fuzz.FAILURES or not server.alive():
                failures.append((method.path, outcome, messages[0][:120]))
        run()
        if not server.alive():
            failures.append((method.path, "server died", b""))
            break
        print(f"{method.path:45s} {dict(counts[method.path])}", flush=True)
    total = collections.Counter()
    for counter in counts.values():
        total.update(counter)
    print(f"\n{sum(total.values())} calls in {time.monotonic() - started:.0f} s: {dict(total)}")
    print(f"failures: {len(failures)}")
    for failure in failures[:20]:
        print("  ", failure)
    if server.alive():
        server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
