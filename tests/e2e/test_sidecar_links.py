"""A dataset source whose sidecars are symlinks to a secret outside the source root (issue 16, defect 1):
the audio is ingested, the sidecars are refused with a warning naming each file, and nothing of the secret
reaches ExportDataset (jsonl, rttm). A FIFO sidecar is refused without stalling the ingest."""
from __future__ import annotations

import os

import pytest

import adapt
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

WAIT_S = 300
SECRET = "the-database-password-is-hunter2"


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    base = tmp_path_factory.mktemp("sidecar-links")
    root, outside = base / "root", base / "outside"
    root.mkdir()
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(f"{SECRET}\n")
    (outside / "secret.rttm").write_text(f"SPEAKER call 1 0.00 1.00 <NA> <NA> {SECRET} <NA> <NA>\n")
    calls = root / "calls"
    calls.mkdir()
    write_audio(calls / "call.wav", tone(2.0), 16000, "wav")
    (calls / "call.txt").symlink_to(secret)
    (calls / "call.rttm").symlink_to(outside / "secret.rttm")
    write_audio(calls / "piped.wav", tone(2.0, freq=300), 16000, "wav")
    os.mkfifo(calls / "piped.txt")  # nobody ever writes: a blocking open would hang the ingest
    return root, calls


@pytest.fixture(scope="module")
def client(tmp_path_factory, layout):
    root, _ = layout
    server = ServerProcess(tmp_path_factory.mktemp("sidecar-links-data") / "adapt-data", [root]).start()
    with adapt.Client(server.target) as c:
        yield c
    server.stop()


def test_sidecar_links_out_of_the_root_never_reach_the_export(client, layout):
    _, calls = layout
    dataset = client.datasets.create(name="links", sources=[{"type": "local", "uri": str(calls)}]).wait(WAIT_S)
    assert dataset.stats.recordings == 2  # the audio files are ingested, without their refused sidecars
    for export_format in ("jsonl", "rttm", "ctm"):
        assert SECRET not in client.datasets.export(dataset.id, format=export_format)
    issues = {issue.uri: issue for issue in dataset.file_issues}
    assert set(issues) == {str(calls / "call.txt"), str(calls / "call.rttm"), str(calls / "piped.txt")}
    assert "outside every source root" in issues[str(calls / "call.txt")].reason
    assert "outside every source root" in issues[str(calls / "call.rttm")].reason
    assert "not a regular file (a FIFO)" in issues[str(calls / "piped.txt")].reason
    assert all(issue.stage == "transcript" for issue in issues.values())
    assert all(SECRET not in issue.reason for issue in dataset.file_issues)
