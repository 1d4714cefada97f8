"""A client-only install: `pip install clients/python` into a fresh venv without torch (plain `python -m venv`,
no system site-packages) imports `adapt` and talks to a real `adapt serve` (started here from the full
install): lists models, transcribes a short generated call, reads the server's version, runs
`adapt --target ... models list`; `adapt serve` there says where it comes from."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.audio import write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow

SDK = Path(__file__).resolve().parents[2] / "clients" / "python"
PIP_TIMEOUT_S = 600
CLIENT_SCRIPT = """
import json, sys
import adapt
with adapt.Client(sys.argv[1]) as client:
    transcript = client.speech.transcribe(sys.argv[2])
    print(json.dumps({"models": [m.id for m in client.models.list()], "text": transcript.text,
                      "model": transcript.model, "server_version": client.status().version,
                      "sdk_version": adapt.__version__}))
"""


def _clean_env() -> dict[str, str]:
    """This environment without the PYTHONPATH that points the test run at the checkout's packages."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory) -> Path:
    """A fresh venv holding only adapt-sdk and its dependencies (installed from a copy of clients/python, so
    the build writes nothing into the checkout)."""
    root = tmp_path_factory.mktemp("client-only")
    source = shutil.copytree(SDK, root / "sdk", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_clean_env())
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(source)],
                               capture_output=True, text=True, timeout=PIP_TIMEOUT_S, env=_clean_env())
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def _run(venv: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], capture_output=True, text=True,
                          timeout=timeout, env=_clean_env(), cwd=venv.parent)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("client-only-data") / "adapt-data", []).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory) -> Path:
    """The first 8 s of a generated call, as a 16 kHz wav."""
    from adapt_server.audio.decode import decode_audio
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("client-only-call")
    [call] = generate_calls(root, n_calls=1, seed=5, split="holdout")
    return write_audio(root / "clip.wav", decode_audio(call.audio_path).samples[0][:8 * 16000], 16000, "wav")


def test_the_venv_has_neither_torch_nor_the_server(client_venv):
    for module in ("torch", "ctranslate2", "adapt_server"):
        result = _run(client_venv, "python", "-c", f"import {module}")
        assert result.returncode != 0 and "ModuleNotFoundError" in result.stderr, module
    assert _run(client_venv, "python", "-c", "import adapt").returncode == 0


def test_the_sdk_talks_to_a_real_server(client_venv, server, speech_wav):
    result = _run(client_venv, "python", "-c", CLIENT_SCRIPT, server.target, str(speech_wav), timeout=300)
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert "whisper-tiny.en" in reply["models"]
    assert reply["model"] == "whisper-tiny.en" and len(reply["text"].split()) >= 5, reply["text"]
    version = (SDK / "VERSION").read_text().strip()
    assert reply["server_version"] == reply["sdk_version"] == version


def test_the_client_only_cli(client_venv, server):
    listed = _run(client_venv, "adapt", "--target", server.target, "models", "list")
    assert listed.returncode == 0, listed.stderr
    assert "whisper-tiny.en\tBUNDLED" in listed.stdout
    usage = _run(client_venv, "adapt", "--help")
    assert usage.returncode == 0 and "datasets" in usage.stdout and "pip install adapt-server" in usage.stdout
    assert "  serve " not in usage.stdout and "  quickstart " not in usage.stdout
    serve = _run(client_venv, "adapt", "serve")
    assert serve.returncode == 2 and "`adapt serve` comes with the server package" in serve.stderr
    assert "Traceback" not in serve.stderr
