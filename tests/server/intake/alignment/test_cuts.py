"""Cutting timed words at pauses (pure)."""
from __future__ import annotations

from adapt_server.intake.alignment.cuts import cut_at_pauses


def spans(starts: list[float], length: float = 0.3) -> list[tuple[float, float]]:
    return [(start, start + length) for start in starts]


def test_short_runs_stay_whole_without_a_long_pause():
    assert cut_at_pauses(spans([0.0, 0.4, 0.8]), max_s=30.0, pause_s=1.0) == [range(0, 3)]


def test_a_long_pause_always_cuts():
    pieces = cut_at_pauses(spans([0.0, 0.4, 3.0, 3.4]), max_s=30.0, pause_s=1.0)
    assert pieces == [range(0, 2), range(2, 4)]


def test_long_runs_are_cut_at_their_widest_pauses_until_short_enough():
    starts = [i * 0.5 for i in range(120)]  # 60 s of words, 0.2-s gaps
    starts = [start + (1.0 if i >= 40 else 0) + (0.7 if i >= 90 else 0) for i, start in enumerate(starts)]
    pieces = cut_at_pauses(spans(starts), max_s=30.0, pause_s=None)
    assert [piece.start for piece in pieces] == [0, 40, 90]
    for piece in pieces:
        assert spans(starts)[piece.stop - 1][1] - starts[piece.start] <= 30.0
    assert sum(len(piece) for piece in pieces) == 120


def test_forced_breaks_and_weights():
    starts = [0.0, 0.4, 0.8, 1.2]
    assert cut_at_pauses(spans(starts), 30.0, None, breaks=[False, True, False]) == [range(0, 2), range(2, 4)]
    # two equal pauses: the trusted one is cut
    starts = [0.0, 1.0, 2.0, 3.0]
    pieces = cut_at_pauses(spans(starts), 2.5, None, weights=[0.3, 0.3, 1.0])
    assert pieces[-1] == range(3, 4)


def test_empty_and_single_word():
    assert cut_at_pauses([], 30.0) == []
    assert cut_at_pauses([(0.0, 40.0)], 30.0) == [range(0, 1)]
