"""Muting spans of audio (pure)."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.intake.redaction import RedactionSpan, mute


def test_spans_are_silenced_with_their_pad_and_nothing_else_changes():
    rate = 1000
    audio = np.ones(5000, dtype=np.float32)
    out = mute(audio, rate, [RedactionSpan(1.0, 2.0, "PERSON")], pad_s=0.1)
    assert out.dtype == np.float32 and audio.min() == 1.0  # input untouched
    assert not out[900:2100].any()
    assert np.all(out[:890] == 1.0) and np.all(out[2110:] == 1.0)
    assert 0 < out[897] < 1.0  # a short fade, no click


def test_spans_past_the_ends_are_clipped_and_stereo_works():
    audio = np.ones((3000, 2), dtype=np.float64)
    out = mute(audio, 1000, [RedactionSpan(0.0, 0.5, "PERSON"), RedactionSpan(2.8, 10.0, "DATE")], pad_s=0.15)
    assert not out[:650].any() and not out[2650:].any() and out[1500].tolist() == [1.0, 1.0]


def test_bad_arguments():
    with pytest.raises(ValueError):
        mute(np.zeros(10), 0, [])
    with pytest.raises(ValueError):
        mute(np.zeros(10), 16000, [], pad_s=-1)


def test_redaction_span_is_a_frozen_timed_span_without_a_value():
    import dataclasses

    span = RedactionSpan(1.0, 2.5, "PERSON")
    assert [field.name for field in dataclasses.fields(span)] == ["start", "end", "entity_type"]
    assert span.with_offset(-1.0) == RedactionSpan(0.0, 1.5, "PERSON") and span.duration == 1.5
    assert span.trim(2.0, 3.0) == RedactionSpan(2.0, 2.5, "PERSON")
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.start = 0.0  # type: ignore[misc]
    for bad in (lambda: RedactionSpan(2.0, 1.0, "PERSON"), lambda: RedactionSpan(0.0, 1.0, "")):
        with pytest.raises(ValueError):
            bad()
