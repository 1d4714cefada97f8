"""Staging a local source file for a shard on another node (intake/ingest.py `_Staged`, the Ray executor's path):
the audio arrives as the file the local source already opened confined to its roots (paths.open_confined), and
the sidecars are read confined as in process. Found by bench/scaling_bench.py: staging called `put_file` on the
opened file and every Ray ingest of a local folder failed with INTERNAL."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from adapt_server.intake.ingest import _Staged
from adapt_server.intake.sources.base import SourceAccess, SourceFile
from adapt_server.intake.sources.local import LocalReader, LocalSource
from testkit.audio import tone, write_audio

TRANSCRIPT = "hello from inside the root\n"
RTTM = "SPEAKER call 1 0.00 1.50 <NA> <NA> agent <NA> <NA>\n"


@pytest.fixture
def store(tmp_path):
    from adapt_server.config import ServerConfig
    from adapt_server.server import prepare_data_dir
    config = ServerConfig(data_dir=tmp_path / "data", source_roots=(tmp_path,), workers=1).resolved()
    store = prepare_data_dir(config)
    yield store
    store.close()


@pytest.fixture
def root(tmp_path) -> Path:
    root = (tmp_path / "root")
    root.mkdir()
    write_audio(root / "call.wav", tone(1.0), 16000, "wav")
    return root.resolve()


def _fetched(root: Path, tmp_path: Path):
    access = SourceAccess(roots=(root,))
    source = LocalSource(uri=str(root), path=root, options=LocalSource.parse("s", str(root), {}, access).options)
    reader = LocalReader(source, (root,))
    return reader.fetch(SourceFile(str(root / "call.wav")), tmp_path)


def test_the_opened_audio_and_its_sidecars_are_staged_by_content(store, root, tmp_path):
    (root / "call.txt").write_text(TRANSCRIPT)
    (root / "call.rttm").write_text(RTTM)
    staging = _Staged(store)
    with _fetched(root, tmp_path) as local:
        assert not isinstance(local.audio, Path), "the local source hands over the file it opened"
        staged, issues = staging.put(local)
    assert issues == []
    audio_sha, audio_name = staged.audio
    assert (audio_name, audio_sha) == ("call.wav", hashlib.sha256((root / "call.wav").read_bytes()).hexdigest())
    assert store.blobs.path(audio_sha).read_bytes() == (root / "call.wav").read_bytes()
    assert staged.transcript[1] == "call.txt" and store.blobs.read_bytes(staged.transcript[0]) == TRANSCRIPT.encode()
    assert staged.rttm[1] == "call.rttm" and store.blobs.read_bytes(staged.rttm[0]) == RTTM.encode()
    assert staged.transcript_uri == str(root / "call.txt")
    staging.release_all()
    assert not store.blobs.exists(audio_sha), "staged files are dropped once no shard needs them"


def test_a_sidecar_linking_out_of_the_roots_is_not_staged_and_reported(store, root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password is hunter2\n")
    (root / "call.txt").symlink_to(secret)
    staging = _Staged(store)
    with _fetched(root, tmp_path) as local:
        staged, issues = staging.put(local)
    assert staged.transcript is None and staged.audio is not None
    assert [(issue.stage, issue.uri) for issue in issues] == [("transcript", str(root / "call.txt"))]
    assert "outside every source root" in issues[0].reason and "audio ingested without it" in issues[0].reason
    staging.release_all()
