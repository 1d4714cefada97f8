"""The pyannote backend's preconditions: a missing path or a missing pyannote.audio is FAILED_PRECONDITION."""
from __future__ import annotations

import sys

import pytest

from adapt_server.errors import FailedPrecondition
from adapt_server.intake.diarization import PyannoteDiarizer
from adapt_server.intake.diarization.pyannote_backend import turns_from_annotation


def test_a_missing_path_says_so(tmp_path):
    with pytest.raises(FailedPrecondition, match="does not exist.*config.yaml") as raised:
        PyannoteDiarizer.from_path(tmp_path / "nowhere" / "config.yaml")
    assert raised.value.code == "FAILED_PRECONDITION"
    assert str(tmp_path / "nowhere") in raised.value.message


def test_a_directory_without_a_pipeline_config_says_so(tmp_path):
    with pytest.raises(FailedPrecondition, match="has no config.yaml"):
        PyannoteDiarizer.from_path(tmp_path)


def test_pyannote_audio_not_installed_says_how_to_fix(tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    config.write_text("pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pyannote.audio", None)  # as on a server without it (import fails)
    with pytest.raises(FailedPrecondition, match="pip install pyannote.audio"):
        PyannoteDiarizer.from_path(tmp_path)


def test_annotation_turns_are_renamed_in_order_of_first_speech():
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri="call")
    annotation[Segment(3.0, 4.0)] = "SPEAKER_00"
    annotation[Segment(1.0, 2.5)] = "SPEAKER_01"
    annotation[Segment(2.0, 3.5), "b"] = "SPEAKER_00"
    turns = turns_from_annotation(annotation)
    assert [(t.start, t.end, t.speaker) for t in turns] == [(1.0, 2.5, "spk0"), (2.0, 3.5, "spk1"),
                                                            (3.0, 4.0, "spk1")]
