"""Word boundaries moved onto detected pauses (pure)."""
from __future__ import annotations

from adapt_server.intake.alignment.pauses import snap_to_pauses
from adapt_server.spans import Word


def test_the_boundary_next_to_a_pause_moves_onto_it():
    words = [Word(0.0, 0.5, "hello"), Word(0.5, 1.2, "there,"), Word(1.4, 1.8, "friend")]
    snapped = snap_to_pauses(words, [(0.9, 1.3)])
    assert (snapped[1].end, snapped[2].start) == (0.9, 1.3)
    assert [word.text for word in snapped] == ["hello", "there,", "friend"]
    assert all(a.end <= b.start for a, b in zip(snapped, snapped[1:]))


def test_pauses_far_from_any_boundary_or_too_short_are_ignored():
    words = [Word(0.0, 0.5, "a"), Word(0.5, 1.0, "b")]
    assert snap_to_pauses(words, [(5.0, 6.0)]) == words
    assert snap_to_pauses(words, [(0.5, 0.52)]) == words


def test_words_of_overlapping_windows_meet_halfway():
    from adapt_server.intake.alignment.transcript import without_overlaps

    words = [Word(0.0, 1.0, "a"), Word(0.8, 1.5, "b"), Word(1.5, 1.6, "c")]
    fixed = without_overlaps(words)
    assert (fixed[0].end, fixed[1].start) == (0.9, 0.9) and fixed[2] == words[2]
