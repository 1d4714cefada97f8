"""API hygiene: `buf lint` (buf.yaml: STANDARD with listed exceptions) and `buf breaking` against the last
released API (api-snapshots/<version>/), and proof that both catch what they are for: a renamed field or a
removed RPC fails the breaking check, an added field passes, a new enum in unprefixed style fails lint."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUF = REPO / "clients" / "typescript" / "node_modules" / ".bin" / "buf"
SNAPSHOTS = REPO / "api-snapshots"


def _last_release() -> Path:
    versions = [p for p in SNAPSHOTS.iterdir() if re.fullmatch(r"v\d+\.\d+\.\d+", p.name)]
    return max(versions, key=lambda p: tuple(int(x) for x in p.name[1:].split(".")))


def _buf(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BUF), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def buf(node_toolchain) -> Path:
    assert BUF.exists(), "npm ci in clients/typescript brings buf"
    return BUF


@pytest.fixture
def workspace(tmp_path) -> Path:
    """A copy of buf.yaml, proto/ and api-snapshots/ to change."""
    shutil.copy(REPO / "buf.yaml", tmp_path / "buf.yaml")
    shutil.copytree(REPO / "proto", tmp_path / "proto")
    shutil.copytree(SNAPSHOTS, tmp_path / "api-snapshots")
    return tmp_path


def _breaking(cwd: Path) -> subprocess.CompletedProcess:
    return _buf(["breaking", "--against", str(_last_release().relative_to(REPO))], cwd)


def test_lint_passes(buf):
    result = _buf(["lint"], REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_breaking_change_against_the_last_release(buf):
    result = _breaking(REPO)
    assert result.returncode == 0, f"breaking change against {_last_release().name}:\n{result.stdout}{result.stderr}"


def test_a_renamed_field_or_a_removed_rpc_fails_the_breaking_check(buf, workspace):
    speech = workspace / "proto" / "adapt" / "v1" / "speech.proto"
    original = speech.read_text()
    speech.write_text(original.replace("string model = 1;", "string model_id = 1;", 1))
    renamed = _breaking(workspace)
    assert renamed.returncode != 0 and 'changed name from "model" to "model_id"' in renamed.stdout, renamed.stdout
    speech.write_text(re.sub(r"\n  rpc Transcribe\(.*\n", "\n", original, count=1))
    removed = _breaking(workspace)
    assert removed.returncode != 0 and 'RPC "Transcribe" on service "Speech" was deleted' in removed.stdout, removed.stdout


def test_an_added_field_is_compatible(buf, workspace):
    speech = workspace / "proto" / "adapt" / "v1" / "speech.proto"
    speech.write_text(speech.read_text().replace("  string routing_key = 9;", "  string routing_key = 9;\n  string probe_added_field = 9999;", 1))
    result = _breaking(workspace)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_exceptions_do_not_cover_new_enums(buf, workspace):
    (workspace / "proto" / "adapt" / "v1" / "probe.proto").write_text(
        'syntax = "proto3";\npackage adapt.v1;\nenum VoiceKind {\n  VOICE_KIND_UNSPECIFIED = 0;\n  NEURAL = 1;\n}\n')
    result = _buf(["lint"], workspace)
    assert result.returncode != 0 and 'Enum value name "NEURAL" should be prefixed with "VOICE_KIND_"' in result.stdout, \
        result.stdout
