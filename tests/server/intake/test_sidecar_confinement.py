"""Sidecars and audio files are read confined to the source roots (issue 16, defect 1): a symlink is followed
only to a regular file inside a root, a FIFO or a device is refused without blocking, a file swapped for a link
after the listing is refused on the opened handle, and a sidecar is read up to a size cap."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from adapt_server.intake.sources.base import SourceAccess, SourceFile
from adapt_server.intake.sources.local import LocalReader, LocalSource
from adapt_server.intake.transcripts import (TranscriptError, find_rttm, find_sidecar, parse_rttm, parse_transcript,
                                             sidecar_refusal)
from adapt_server.paths import RefusedFile, open_confined, read_confined
from testkit.audio import tone, write_audio

RTTM = "SPEAKER call 1 0.00 1.50 <NA> <NA> agent <NA> <NA>\n"


@pytest.fixture
def layout(tmp_path):
    """A source root with call.wav, and a secret outside it."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    write_audio(root / "call.wav", tone(1.0), 16000, "wav")
    secret = outside / "secret.txt"
    secret.write_text("the database password is hunter2\n")
    return root.resolve(), secret.resolve()


def _in_thread(fn, timeout_s: float = 5.0):
    """fn() in a thread; fails the test when it blocks (a FIFO opened for reading without O_NONBLOCK)."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), "the read blocked"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def test_a_link_inside_a_root_is_read(layout):
    root, _ = layout
    (root / "shared").mkdir()
    (root / "shared" / "transcript.txt").write_text("hello from inside the root\n")
    (root / "call.txt").symlink_to(root / "shared" / "transcript.txt")
    (root / "shared" / "turns.rttm").write_text(RTTM)
    (root / "call.rttm").symlink_to(root / "shared" / "turns.rttm")
    assert find_sidecar(root / "call.wav") == root / "call.txt"
    assert sidecar_refusal(root / "call.txt", (root,)) is None
    assert parse_transcript(root / "call.txt", roots=(root,)).text == "hello from inside the root"
    assert [turn.speaker for turn in parse_rttm(root / "call.rttm", roots=(root,))] == ["agent"]


def test_a_link_out_of_the_roots_is_refused_naming_the_file(layout):
    root, secret = layout
    (root / "call.txt").symlink_to(secret)
    (root / "call.rttm").symlink_to(secret)
    assert find_sidecar(root / "call.wav") == root / "call.txt"  # found, so that reading it reports the refusal
    with pytest.raises(TranscriptError, match="call.txt: a symlink to .*outside every source root") as refused:
        parse_transcript(root / "call.txt", roots=(root,))
    assert "hunter2" not in str(refused.value)
    with pytest.raises(TranscriptError, match="call.rttm: a symlink to .*outside every source root"):
        parse_rttm(root / "call.rttm", roots=(root,))


def test_a_link_to_a_link_out_of_the_roots_is_refused(layout):
    root, secret = layout
    (root / "hop").symlink_to(secret)
    (root / "call.txt").symlink_to(root / "hop")
    with pytest.raises(TranscriptError, match="outside every source root"):
        parse_transcript(root / "call.txt", roots=(root,))


def test_a_fifo_is_refused_without_blocking(layout):
    root, _ = layout
    os.mkfifo(root / "call.txt")
    os.mkfifo(root / "call.rttm")
    assert find_sidecar(root / "call.wav") == root / "call.txt"
    with pytest.raises(TranscriptError, match="call.txt: not a regular file \\(a FIFO\\)"):
        _in_thread(lambda: parse_transcript(root / "call.txt", roots=(root,)))
    with pytest.raises(TranscriptError, match="call.rttm: not a regular file \\(a FIFO\\)"):
        _in_thread(lambda: parse_rttm(root / "call.rttm", roots=(root,)))
    (root / "fifo-link.txt").symlink_to(root / "call.txt")  # a link to a FIFO inside the root
    with pytest.raises(TranscriptError, match="not a regular file"):
        _in_thread(lambda: parse_transcript(root / "fifo-link.txt", roots=(root,)))


def test_a_device_is_refused(layout):
    root, _ = layout
    (root / "call.txt").symlink_to("/dev/zero")
    with pytest.raises(TranscriptError, match="outside every source root"):
        _in_thread(lambda: parse_transcript(root / "call.txt", roots=(root,)))
    with pytest.raises(TranscriptError, match="not a regular file \\(a character device\\)"):
        _in_thread(lambda: parse_transcript(root / "call.txt", roots=None))  # even without roots


def test_open_confined_rechecks_the_opened_handle(layout, monkeypatch):
    """A file swapped for a link between the check (realpath) and the open is refused: the open does not
    follow a final link, and the handle's real path is checked against the roots."""
    root, secret = layout
    sidecar = root / "call.txt"
    sidecar.write_text("a transcript\n")
    real_realpath = os.path.realpath

    def swap_after_check(path, *args, **kwargs):
        resolved = real_realpath(path, *args, **kwargs)
        if Path(path) == sidecar:
            sidecar.unlink()
            sidecar.symlink_to(secret)  # the attacker wins the race
        return resolved
    monkeypatch.setattr(os.path, "realpath", swap_after_check)
    with pytest.raises(RefusedFile, match="changed into a symlink"):
        open_confined(sidecar, (root,))


def test_sidecars_are_read_up_to_a_cap(layout):
    root, _ = layout
    (root / "call.txt").write_text("x" * 100)
    assert read_confined(root / "call.txt", (root,), 100) == b"x" * 100
    with pytest.raises(RefusedFile, match="larger than 99 bytes"):
        read_confined(root / "call.txt", (root,), 99)


def test_the_audio_file_is_opened_confined_at_fetch(layout, tmp_path):
    """The local reader opens the listed audio file itself with open_confined: swapped for a link out of the
    roots after the listing, it is refused (an OSError the ingest reports for that file)."""
    root, secret = layout
    source = LocalSource(uri=str(root), path=root, options=LocalSource.parse("s", str(root), {}, SourceAccess(roots=(root,))).options)
    reader = LocalReader(source, (root,))
    [listed] = reader.files()
    assert listed == SourceFile(str(root / "call.wav"))
    with reader.fetch(listed, tmp_path) as local:
        assert local.audio.read(4) == b"RIFF" and local.roots == (root,)
    (root / "call.wav").unlink()
    (root / "call.wav").symlink_to(secret)
    with pytest.raises(RefusedFile, match="outside every source root"):
        with reader.fetch(listed, tmp_path):
            pass
    assert find_rttm(root / "call.wav") is None
