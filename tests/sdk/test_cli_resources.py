"""The commands the CLI builds per resource (adapt/_cli_resources.py) against a real server: list, get, and
for job-backed resources watch and cancel, on datasets, models and evaluations."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

STATES = {"PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"}


def _adapt(*args: str, target: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapt.cli", "--target", target, *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-resources")
    for i in range(2):
        write_audio(root / f"t{i}.wav", tone(2.0, 16000, 350 + 50 * i), 16000, "wav")
        (root / f"t{i}.txt").write_text("the veltora billing line is open")
    proc = ServerProcess(tmp_path_factory.mktemp("cli-resources-data") / "adapt-data", [root]).start()
    yield proc, root
    proc.stop()


@pytest.fixture(scope="module")
def dataset_id(server):
    proc, root = server
    created = _adapt("datasets", "create", "resources", "--source", str(root), "--no-wait", target=proc.target)
    assert created.returncode == 0, created.stderr
    [line] = created.stdout.splitlines()          # --no-wait: the id only, no bar
    return line


def test_dataset_watch_draws_the_bar_then_prints_the_dataset(server, dataset_id):
    proc, _ = server
    watched = _adapt("datasets", "watch", dataset_id, target=proc.target)
    assert watched.returncode == 0, watched.stderr
    assert f"ingest {dataset_id}" in watched.stderr and "100%" in watched.stderr
    assert watched.stdout.startswith(f"{dataset_id}  resources  SUCCEEDED") and "recordings=2" in watched.stdout
    cancelled = _adapt("datasets", "cancel", dataset_id, target=proc.target)   # a finished job stays as it is
    assert cancelled.returncode == 0 and cancelled.stdout.strip() == "SUCCEEDED"


def test_model_get_prints_its_fields_as_json(server):
    proc, _ = server
    got = _adapt("models", "get", "whisper-tiny.en", target=proc.target)
    assert got.returncode == 0, got.stderr
    model = json.loads(got.stdout)
    assert model["id"] == "whisper-tiny.en" and model["kind"] == "BUNDLED" and "_api" not in model


def test_evaluation_cancel_watch_and_list_by_dataset(server, dataset_id):
    proc, _ = server
    created = _adapt("evaluations", "create", dataset_id, "--candidate", "whisper-tiny.en", "--metric", "wer",
                     "--no-wait", target=proc.target)
    assert created.returncode == 0, created.stderr
    evaluation_id = created.stdout.strip()
    cancelled = _adapt("evaluations", "cancel", evaluation_id, target=proc.target)
    assert cancelled.returncode == 0 and cancelled.stdout.strip() in STATES
    watched = _adapt("evaluations", "watch", evaluation_id, target=proc.target)
    assert watched.returncode == 0, watched.stderr
    assert f"evaluate {evaluation_id}" in watched.stderr
    first = watched.stdout.splitlines()[0]
    assert first.startswith(f"{evaluation_id}  ") and first.split()[1] in {"SUCCEEDED", "CANCELLED"}
    listed = _adapt("evaluations", "list", "--dataset", dataset_id, target=proc.target)
    assert listed.returncode == 0 and listed.stdout.startswith(f"{evaluation_id}\t")
    assert f"\t{dataset_id}\tall\twhisper-tiny.en\twinner=" in listed.stdout
    other = _adapt("evaluations", "list", "--dataset", "ds_other", target=proc.target)
    assert other.returncode == 0 and evaluation_id not in other.stdout


def test_unknown_ids_are_one_readable_line(server):
    proc, _ = server
    for args in (("datasets", "watch", "ds_nope"), ("evaluations", "cancel", "eval_nope"),
                 ("fine-tunes", "watch", "ftjob_nope"), ("models", "get", "nope")):
        result = _adapt(*args, target=proc.target)
        assert result.returncode == 1 and "NOT_FOUND" in result.stderr and "Traceback" not in result.stderr, args
