"""The TypeScript client (clients/typescript): built with a strict type check, then its node:test suite against a live
`adapt serve` (datasets, paging, unary and streaming transcription, typed errors, API key, mutual TLS)."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.realspeech]  # node:test against a real `adapt serve`


def run_output_tail(output: str, lines: int = 80) -> str:
    return "\n".join(output.splitlines()[-lines:])


def test_node_suite_against_a_live_server(node_toolchain, live_server):
    # the build is the strict type check (tsconfig.json: strict, noUncheckedIndexedAccess; `npm run typecheck`
    # runs the same check without writing dist/)
    build = subprocess.run(["node_modules/.bin/tsc", "-p", "tsconfig.json"], cwd=node_toolchain,
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, f"tsc (strict) failed:\n{build.stdout}{build.stderr}"
    tests = sorted(str(p.relative_to(node_toolchain)) for p in (node_toolchain / "dist" / "test").glob("*.test.js")
                   if p.name != "real-tls.test.js")  # against adapt serve's own TLS port: tests/clients/test_tls.py
    assert tests, "tsc wrote no test files"
    result = subprocess.run(["node", "--test", *tests], cwd=node_toolchain, env={**os.environ, **live_server.env()},
                            capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    print(run_output_tail(output, 15))
    counts = {k: int(v) for k, v in re.findall(r"^# (pass|fail|skipped) (\d+)$", output, re.MULTILINE)}
    assert result.returncode == 0 and counts.get("fail") == 0, run_output_tail(output)
    assert counts.get("pass", 0) >= 12 and counts.get("skipped") == 0, counts
