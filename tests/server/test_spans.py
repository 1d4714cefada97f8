"""Span value objects: validation, offsets, trimming."""
from __future__ import annotations

import dataclasses

import pytest

from adapt_server.spans import Segment, SpeakerTurn, Word


def test_duration_and_immutability():
    turn = SpeakerTurn(1.0, 3.5, "A")
    assert turn.duration == 2.5
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.start = 0.0  # type: ignore[misc]
    assert Segment(None, None, "hello").duration is None
    assert Segment(1.0, None, "hello").duration is None


def test_ints_become_floats():
    word = Word(1, 2, "hi")
    assert isinstance(word.start, float) and isinstance(word.end, float)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SpeakerTurn(2.0, 1.0, "A"),
        lambda: SpeakerTurn(-0.5, 1.0, "A"),
        lambda: Word(0.0, float("nan"), "x"),
        lambda: Word(0.0, float("inf"), "x"),
        lambda: Segment(3.0, 2.0, "x"),
        lambda: Word(0.0, 1.0, "x", confidence=1.5),
    ],
)
def test_invalid_times_are_rejected(make):
    with pytest.raises(ValueError):
        make()


def test_required_times_and_types():
    with pytest.raises(ValueError, match="known start and end"):
        SpeakerTurn(None, 1.0, "A")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="known start and end"):
        Word(0.0, None, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seconds"):
        Segment("1.0", 2.0, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="string"):
        Segment(1.0, 2.0, None)  # type: ignore[arg-type]


def test_with_offset_returns_a_moved_copy():
    word = Word(1.0, 1.5, "hi", confidence=0.9)
    moved = word.with_offset(2.0)
    assert moved == Word(3.0, 3.5, "hi", confidence=0.9)
    assert word == Word(1.0, 1.5, "hi", confidence=0.9)
    assert moved.with_offset(-3.0) == Word(0.0, 0.5, "hi", confidence=0.9)
    assert Segment(None, None, "x", "A").with_offset(5.0) == Segment(None, None, "x", "A")
    assert Segment(1.0, None, "x").with_offset(1.0) == Segment(2.0, None, "x")


def test_with_offset_before_zero():
    with pytest.raises(ValueError, match="before 0"):
        SpeakerTurn(1.0, 2.0, "A").with_offset(-1.5)
    # float rounding just below zero is zero, not an error
    assert Word(0.3, 0.5, "x").with_offset(-(0.1 + 0.2)).start == 0.0


def test_trim_clips_to_the_window_on_the_same_timeline():
    turn = SpeakerTurn(2.0, 6.0, "A")
    assert turn.trim(0.0, 10.0) == turn
    assert turn.trim(3.0, 4.0) == SpeakerTurn(3.0, 4.0, "A")
    assert turn.trim(5.0, 8.0) == SpeakerTurn(5.0, 6.0, "A")
    assert turn.trim(6.0, 8.0) is None  # touching the edge leaves nothing
    assert turn.trim(7.0, 8.0) is None
    assert turn.trim(4.0, 8.0).with_offset(-4.0) == SpeakerTurn(0.0, 2.0, "A")  # cut and re-base
    assert Segment(1.0, 2.0, "text", "B").trim(1.5, 3.0) == Segment(1.5, 2.0, "text", "B")


def test_trim_point_spans_use_half_open_windows():
    point = Word(5.0, 5.0, "uh")
    assert point.trim(4.0, 5.0) is None
    assert point.trim(5.0, 6.0) == point


def test_trim_errors():
    with pytest.raises(ValueError, match="unknown times"):
        Segment(None, None, "x").trim(0.0, 1.0)
    with pytest.raises(ValueError, match="ends before it starts"):
        SpeakerTurn(0.0, 1.0, "A").trim(2.0, 1.0)


def test_overlap():
    a, b = SpeakerTurn(0.0, 4.0, "A"), SpeakerTurn(3.0, 6.0, "B")
    assert a.overlap(b) == b.overlap(a) == 1.0
    assert a.overlap(SpeakerTurn(5.0, 6.0, "C")) == 0.0
    assert Segment(None, None, "x").overlap(a) == 0.0
