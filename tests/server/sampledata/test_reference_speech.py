"""The general-speech reference that ships: every clip is real 16-kHz speech with a transcript and a licence
that allows redistribution, and the files are declared as package data (so a wheel installs them)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from adapt_server.sampledata.reference_speech import DIRECTORY, general_reference, general_reference_items

REPO = Path(__file__).resolve().parents[3]


def test_every_clip_loads_with_its_transcript_and_a_redistributable_licence():
    clips = general_reference()
    assert len(clips) == 12
    assert 60 <= sum(c.duration_s for c in clips) <= 120  # about a minute and a half: cheap to score
    for clip in clips:
        samples = clip.samples
        assert samples.dtype == np.float32 and samples.ndim == 1
        assert abs(samples.size / 16000 - clip.duration_s) < 0.01
        assert 0.05 < float(np.abs(samples).max()) <= 1.0  # speech, not silence
        assert clip.text.strip()
        assert "public domain" in clip.licence or "CC BY 4.0" in clip.licence, clip.licence
    assert sum(len(c.text.split()) for c in clips) == 213
    assert len(general_reference_items()) == len(clips)


def test_the_attribution_names_every_file_and_the_package_data_ships_them():
    attribution = (DIRECTORY / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for clip in general_reference():
        stem = clip.path.stem
        assert stem in attribution or re.sub(r"_0\d+$", "", stem) in attribution, stem
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"general_reference/*.wav", "general_reference/*.jsonl", "general_reference/*.md"' in pyproject
