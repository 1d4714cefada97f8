"""`adapt deployments` and `adapt fine-tunes` against a real server; the training progress line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from adapt._training_progress import detail
from adapt.resources import Progress
from adapt_server.models.bundled import bundled_model_path
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes


def _adapt(*args: str, target: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "adapt.cli", "--target", target, *args], capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("cli-deploy") / "adapt-data", [],
                         extra_args=["--model-root", str(bundled_model_path().parent)]).start()
    registered = _adapt("models", "register", str(bundled_model_path()), "--id", "tiny-copy", target=proc.target)
    assert registered.returncode == 0, registered.stderr
    yield proc
    proc.stop()


def test_update_get_list_rollback(server):
    created = _adapt("deployments", "update", "prod-voice", "--stt", "whisper-tiny.en", target=server.target)
    assert created.returncode == 0, created.stderr
    assert "prod-voice  revision 1  stt=whisper-tiny.en" in created.stdout and "rev 1 create" in created.stdout
    canary = _adapt("deployments", "update", "prod-voice", "--stt", "whisper-tiny.en", "--canary", "tiny-copy",
                    "--percent", "10", target=server.target)
    assert "canary: 10% of stt -> tiny-copy" in canary.stdout
    listed = _adapt("deployments", "list", target=server.target)
    assert "prod-voice\trev 2\tstt=whisper-tiny.en\tcanary 10% -> tiny-copy" in listed.stdout
    back = _adapt("deployments", "rollback", "prod-voice", target=server.target)
    assert "revision 3" in back.stdout and "rolled back to revision 1" in back.stdout
    got = _adapt("deployments", "get", "prod-voice", target=server.target)
    assert got.stdout.count("rev ") == 3 and "canary:" not in got.stdout.splitlines()[1]


def test_errors_are_one_line(server):
    missing = _adapt("deployments", "update", "prod-voice", "--stt", "nope", target=server.target)
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr and "Traceback" not in missing.stderr
    first = _adapt("deployments", "rollback", "fresh", target=server.target)
    assert first.returncode == 1 and "NOT_FOUND" in first.stderr
    bad = _adapt("fine-tunes", "create", "--base-model", "whisper-tiny.en", "--dataset", "ds_nope",
                 "--hp", "epochs=2", target=server.target)
    assert bad.returncode == 1 and "NOT_FOUND" in bad.stderr and "ds_nope" in bad.stderr
    assert _adapt("fine-tunes", "list", target=server.target).returncode == 0
    unknown = _adapt("fine-tunes", "get", "ftjob_nope", target=server.target)
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr


def test_the_progress_line_shows_step_loss_lr_and_eta():
    line = detail(Progress(0.5, "train", 12, 50, "steps", 83.0, "step 12/50 loss 0.5320 lr 1.00e-05 eta 83s"))
    assert line == "train | step 12/50 loss 0.5320 lr 1.00e-05 eta 83s | ETA 1:23"
    assert detail(Progress(0.02, "import", 0, 0, "", None, "")) == "import | ETA -:--"
    assert detail(Progress(0.1, "featurize", 3, 76, "utterances", 4000.0, "")) == \
        "featurize | 3/76 utterances | ETA 1:06:40"
