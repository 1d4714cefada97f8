"""Long-form groups: consecutive, bounded, never across a gap."""
from adapt_server.training.long_form import long_form_groups


def test_consecutive_utterances_group_up_to_the_length_bound():
    starts = [0.0, 5.0, 10.0, 20.0, 31.0, 40.0]
    ends = [4.0, 9.0, 18.0, 29.0, 39.0, 50.0]
    assert long_form_groups(starts, ends, 28.0) == [(0, 3), (3, 5)]  # 0-18 s; 20-39 s; 40-50 s alone


def test_a_gap_in_the_transcript_ends_a_stretch():
    starts, ends = [0.0, 5.0, 10.0, 15.0], [4.0, 9.0, 14.0, 19.0]
    assert long_form_groups(starts, ends, 28.0, follows=[True, True, False, True]) == [(0, 2), (2, 4)]


def test_off_or_too_short_gives_no_stretch():
    assert long_form_groups([0.0, 5.0], [4.0, 9.0], 0.0) == []
    assert long_form_groups([0.0, 5.0], [4.0, 9.0], 6.0) == []  # 0-9 s does not fit in 6 s
    assert long_form_groups([0.0], [4.0], 28.0) == []
