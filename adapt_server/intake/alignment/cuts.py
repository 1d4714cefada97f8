"""Cutting a run of timed words into pieces at pauses (pure).

The largest pause inside a piece is cut first, recursively, until every piece is at most `max_s` long and no
piece holds a pause of `pause_s` or more: pieces end at natural breaks, never mid-word.
"""
from __future__ import annotations

from collections.abc import Sequence


def cut_at_pauses(spans: Sequence[tuple[float, float]], max_s: float, pause_s: float | None = None,
                  weights: Sequence[float] | None = None, breaks: Sequence[bool] | None = None) -> list[range]:
    """Index ranges of `spans` ((start, end) seconds per word, in time order) forming the pieces.

    max_s: longest piece (first start to last end, seconds); a single word longer than that stays one piece.
    pause_s: a gap of at least this many seconds always separates pieces (None: only length cuts).
    weights: per gap (len(spans) - 1 values, 0..1) how much a gap is trusted as a cut point; the gap chosen is
        the one with the largest `gap * weight` (default 1 each).
    breaks: per gap, True forces a cut there (a speaker change).
    """
    count = len(spans)
    if count == 0:
        return []
    gaps = [max(0.0, spans[i + 1][0] - spans[i][1]) for i in range(count - 1)]
    weight = list(weights) if weights is not None else [1.0] * len(gaps)
    forced = list(breaks) if breaks is not None else [False] * len(gaps)
    pieces: list[range] = []
    todo = [range(0, count)]
    while todo:
        piece = todo.pop()
        inner = range(piece.start, piece.stop - 1)  # gap i lies between word i and word i + 1
        if not inner:
            pieces.append(piece)
            continue
        cut = next((i for i in inner if forced[i]), None)
        if cut is None and pause_s is not None:
            longest = max(inner, key=lambda i: gaps[i])
            cut = longest if gaps[longest] >= pause_s else None
        if cut is None and spans[piece.stop - 1][1] - spans[piece.start][0] > max_s:
            cut = max(inner, key=lambda i: (gaps[i] * weight[i], _balance(piece, i)))
        if cut is None:
            pieces.append(piece)
            continue
        todo += [range(cut + 1, piece.stop), range(piece.start, cut + 1)]
    return sorted(pieces, key=lambda piece: piece.start)


def _balance(piece: range, gap: int) -> float:
    """Tie-break between equal gaps (words without pauses): prefer the cut nearest the middle."""
    middle = (piece.start + piece.stop - 1) / 2
    return -abs(gap + 0.5 - middle)
