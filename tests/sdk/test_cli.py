"""The `adapt` CLI against a real server: datasets create (with its progress bar), list, get; quickstart."""
from __future__ import annotations

import subprocess
import sys

import pytest

from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes


def _adapt(*args: str, target: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    prefix = ["--target", target] if target else []
    return subprocess.run([sys.executable, "-m", "adapt.cli", *prefix, *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def cli_server(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-sources")
    for i in range(2):
        write_audio(root / f"f{i}.wav", tone(2.0, 16000, 300 + i), 16000, "wav")
        (root / f"f{i}.txt").write_text("the zentrix router works again")
    server = ServerProcess(tmp_path_factory.mktemp("cli-data") / "adapt-data", [root]).start()
    yield server, root
    server.stop()


def test_datasets_create_list_get(cli_server):
    server, root = cli_server
    created = _adapt("datasets", "create", "cli-set", "--source", str(root), target=server.target)
    assert created.returncode == 0, created.stderr
    dataset_id = created.stdout.splitlines()[0].strip()
    assert dataset_id.startswith("ds_")
    assert "recordings=2" in created.stdout and "SUCCEEDED" in created.stdout
    assert "100%" in created.stderr, "the progress bar is drawn on stderr"
    listed = _adapt("datasets", "list", target=server.target)
    assert dataset_id in listed.stdout and "SUCCEEDED" in listed.stdout
    got = _adapt("datasets", "get", dataset_id, target=server.target)
    assert "zentrix" in got.stdout  # the top OOV word


def test_errors_are_one_readable_line_and_exit_1(cli_server):
    server, _ = cli_server
    result = _adapt("datasets", "create", "bad", "--source", "/etc", target=server.target)
    assert result.returncode == 1
    assert "PERMISSION_DENIED" in result.stderr and "Traceback" not in result.stderr
    missing = _adapt("datasets", "get", "ds_missing", target=server.target)
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr


def test_models_list_shows_the_bundled_model(cli_server):
    server, _ = cli_server
    result = _adapt("models", "list", target=server.target)
    assert result.returncode == 0 and "whisper-tiny.en\tBUNDLED" in result.stdout


def test_quickstart_ends_with_the_dataset_stats(tmp_path):
    # the dataset part only: the whole flow (evaluation, fine-tune, promotion) is tests/e2e/test_flow.py
    result = _adapt("quickstart", "--data-dir", str(tmp_path / "qs"), "--calls", "2", "--stop-after", "dataset",
                    timeout=840)
    assert result.returncode == 0, result.stdout + result.stderr
    # 2 training calls and 2 held-out calls (the quickstart holds out max(2, calls // 3))
    assert "recordings=4" in result.stdout and "oov_rate=" in result.stdout
    assert "train=2 rec" in result.stdout and "holdout=2 rec" in result.stdout, "exactly the holdout calls held out"
    assert "redactions" in result.stdout or "redacted" in result.stdout, result.stdout


@pytest.fixture(scope="module")
def speech_file(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    [info] = generate_calls(tmp_path_factory.mktemp("cli-call"), n_calls=1, seed=11, split="holdout")
    return info


def test_transcribe_prints_text_json_and_subtitles(cli_server, speech_file):
    server, _ = cli_server
    text = _adapt("transcribe", str(speech_file.audio_path), target=server.target)
    assert text.returncode == 0, text.stderr
    assert len(text.stdout.split()) > 20 and "RTF" in text.stderr
    as_json = _adapt("transcribe", str(speech_file.audio_path), "--json", target=server.target)
    import json
    payload = json.loads(as_json.stdout)
    assert payload["model"] == "whisper-tiny.en" and payload["segments"][0]["words"]
    srt = _adapt("transcribe", str(speech_file.audio_path), "--srt", target=server.target).stdout
    assert srt.startswith("1\n00:00:") and " --> " in srt
    vtt = _adapt("transcribe", str(speech_file.audio_path), "--vtt", target=server.target).stdout
    assert vtt.startswith("WEBVTT") and "00:00:" in vtt


def test_transcribe_stream_prints_finals_at_real_time_pace(cli_server, tmp_path):
    server, _ = cli_server
    import time

    from adapt_server.audio.decode import decode_audio
    from adapt_server.sampledata import generate_calls
    [info] = generate_calls(tmp_path, n_calls=1, seed=12, split="train")
    seconds = 16.0
    clip = write_audio(tmp_path / "clip.flac", decode_audio(info.audio_path).samples[0][: int(seconds * 16000)],
                       16000, "flac")
    started = time.monotonic()
    result = _adapt("transcribe", "--stream", str(clip), target=server.target)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed >= seconds * 0.95, "the file is fed at real-time pace"
    finals = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert len(finals) >= 2, result.stdout
    assert "..." in result.stderr, "interim results are shown while the audio plays"
