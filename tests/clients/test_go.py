"""The Go client (clients/go, GOPATH mode, Debian's grpc 1.33 / protobuf 1.28): vet, the example program
builds, and `go test` against a live `adapt serve` (unary and streaming transcription, NOT_FOUND, API key,
mutual TLS, a dataset waited for)."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.realspeech]  # go test against a real `adapt serve`
GO = Path(__file__).resolve().parents[2] / "clients" / "go"


def run_output_tail(output: str, lines: int = 80) -> str:
    return "\n".join(output.splitlines()[-lines:])


def _go(args: list[str], env: dict[str, str], timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["go", *args], cwd=GO, env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def example(go_toolchain, tmp_path_factory):
    """The example program, built."""
    binary = tmp_path_factory.mktemp("go-example") / "adapt-transcribe"
    build = _go(["build", "-o", str(binary), "adapt/cmd/adapt-transcribe"], go_toolchain)
    assert build.returncode == 0, build.stdout + build.stderr
    return binary


def test_vet_passes(go_toolchain):
    vet = _go(["vet", "adapt/..."], go_toolchain)
    assert vet.returncode == 0, vet.stdout + vet.stderr


def test_example_program_transcribes_through_a_live_server(example, live_server):
    usage = subprocess.run([str(example)], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage: adapt-transcribe" in usage.stderr
    run = subprocess.run([str(example), "-target", live_server.target, "-api-key", live_server.api_key,
                          str(live_server.audio_dir / "sb_spk1_snt1.wav")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "the child almost hurt the small dog" in run.stdout.lower() and "model whisper-tiny.en" in run.stdout
    unknown = subprocess.run([str(example), "-target", live_server.target, "-api-key", live_server.api_key,
                              "-model", "no-such-model", str(live_server.audio_dir / "sb_spk1_snt1.wav")],
                             capture_output=True, text=True, timeout=300)
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr, unknown.stderr


def test_go_suite_against_a_live_server(go_toolchain, live_server):
    result = _go(["test", "-count=1", "-v", "adapt"], {**go_toolchain, **live_server.env()})
    output = result.stdout + result.stderr
    print(run_output_tail(output, 15))
    passed = re.findall(r"^--- PASS: (\w+)", output, re.MULTILINE)
    assert result.returncode == 0 and "--- FAIL" not in output, run_output_tail(output)
    assert {"TestTranscribeFile", "TestStreamAtRealTimePace", "TestUnknownModelIsNotFound"} <= set(passed), passed
