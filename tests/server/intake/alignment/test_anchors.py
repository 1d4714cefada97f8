"""Rough transcript word times from a recognition pass (pure)."""
from __future__ import annotations

import pytest

from adapt_server.intake.alignment.anchors import rough_times, word_key
from adapt_server.spans import Word


def test_word_key_ignores_case_and_punctuation():
    assert word_key("Hello,") == word_key("hello") == "hello"
    assert word_key("don't") == "dont"


def test_matched_words_take_recognized_times_and_the_rest_is_interpolated():
    recognized = [Word(1.0, 1.4, " Thank"), Word(1.4, 1.6, " you"), Word(3.0, 3.5, " Riley.")]
    rough = rough_times(["Thank", "you,", "my", "name", "is", "Riley."], recognized, duration_s=5.0)
    assert [word.anchored for word in rough] == [True, True, False, False, False, True]
    assert (rough[0].start, rough[1].end, rough[5].start) == (1.0, 1.6, 3.0)
    between = rough[2:5]
    assert between[0].start == pytest.approx(1.6) and between[-1].end == pytest.approx(3.0)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(between, between[1:]))


def test_words_outside_the_anchors_use_a_speaking_rate_and_stay_in_the_recording():
    rough = rough_times(["well", "hello", "there", "friend"], [Word(0.2, 0.5, "hello"), Word(0.5, 0.8, "there")],
                        duration_s=1.0)
    assert rough[0].start == 0.0 and rough[0].end == pytest.approx(0.2)
    assert rough[3].start == pytest.approx(0.8) and rough[3].end <= 1.0


def test_nothing_recognized_spreads_the_words_over_the_speech():
    rough = rough_times(["a", "b"], [], duration_s=10.0, speech=[(2.0, 3.0), (6.0, 7.0)])
    assert rough[0].start == pytest.approx(2.0) and rough[0].end == pytest.approx(3.0)
    assert rough[1].start == pytest.approx(3.0) and rough[1].end == pytest.approx(7.0)
    assert not any(word.anchored for word in rough)
