"""End-to-end fixtures: a source root with real test audio, a running `adapt serve`, and a client."""
from __future__ import annotations

import json

import pytest

import adapt
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess


@pytest.fixture(scope="session")
def source_root(tmp_path_factory):
    return tmp_path_factory.mktemp("sources")


@pytest.fixture(scope="session")
def sample_calls(source_root):
    """Three generated two-speaker calls with sidecar transcripts: <root>/calls/*.wav + *.json."""
    from adapt_server.sampledata import generate_calls
    infos = generate_calls(source_root / "generated", n_calls=3, seed=7, split="train")
    return source_root / "generated" / "calls", infos


@pytest.fixture(scope="session")
def mixed_folder(source_root):
    """Good files in several formats, with sidecars, and one corrupt file among them."""
    folder = source_root / "mixed"
    folder.mkdir()
    write_audio(folder / "a.flac", tone(2.0, 16000, 300), 16000, "flac")
    (folder / "a.txt").write_text("hello from the flac file\n")
    write_audio(folder / "b.mp3", tone(3.0, 44100, 500), 44100, "mp3")
    (folder / "b.srt").write_text("1\n00:00:00,000 --> 00:00:01,500\nfirst line\n\n"
                                  "2\n00:00:01,500 --> 00:00:03,000\nsecond line\n")
    write_audio(folder / "c.wav", tone(2.5, 8000, 700), 8000, "mulaw.wav")
    (folder / "c.json").write_text(json.dumps({"segments": [
        {"start": 0.0, "end": 1.0, "speaker": "agent_x", "text": "thanks for calling"},
        {"start": 1.2, "end": 2.4, "speaker": "caller_y", "text": "my zentrix router is down"}]}))
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 10)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory, source_root):
    proc = ServerProcess(tmp_path_factory.mktemp("data") / "adapt-data", [source_root]).start()
    yield proc
    if proc.alive():
        proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        yield c
