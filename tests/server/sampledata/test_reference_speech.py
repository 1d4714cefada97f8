"""The general-speech reference that ships: every clip is real 16-kHz speech with a transcript and a licence
that allows redistribution, and the files are declared as package data (so a wheel installs them)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from adapt_server.sampledata.reference_speech import (DIRECTORY, LONG_FORM_GAP_S, LONG_FORM_MAX_S, general_reference,
                                                      general_reference_items, long_form_windows)

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


def test_the_long_form_windows_join_every_clip_once_in_order_with_pauses():
    clips, windows = general_reference(), long_form_windows()
    assert [clip for window in windows for clip in window.clips] == list(clips)
    assert len(windows) == 4
    gap = round(LONG_FORM_GAP_S * 16000)
    for window in windows:
        samples = window.samples
        assert samples.size / 16000 <= LONG_FORM_MAX_S
        assert samples.size == sum(c.samples.size for c in window.clips) + gap * (len(window.clips) - 1)
        first = window.clips[0].samples.size
        assert np.array_equal(samples[:first], window.clips[0].samples)
        assert len(window.clips) == 1 or not samples[first:first + gap].any()  # a pause of silence between clips
        assert window.text == " ".join(c.text for c in window.clips)
    # every window but the last is full: the next clip would not have fitted
    for window, following in zip(windows, windows[1:]):
        assert window.duration_s + LONG_FORM_GAP_S + following.clips[0].duration_s > LONG_FORM_MAX_S
    assert len(general_reference_items()) == len(clips)  # the gate and the selection score the clips only


def test_the_attribution_names_every_file_and_the_package_data_ships_them():
    attribution = (DIRECTORY / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for clip in general_reference():
        stem = clip.path.stem
        assert stem in attribution or re.sub(r"_0\d+$", "", stem) in attribution, stem
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"general_reference/*.wav", "general_reference/*.jsonl", "general_reference/*.md"' in pyproject
