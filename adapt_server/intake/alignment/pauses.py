"""Word boundaries moved onto the pauses a voice activity detector found (pure).

Cross-attention DTW lets a word next to a pause absorb part of it (the word before a pause ends late, the one
after it starts late or is squeezed). Each detected pause is matched to the word boundary nearest to it;
the word before then ends where the pause starts and the word after starts where it ends.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from adapt_server.spans import Word

MIN_PAUSE_S = 0.064  # seconds (two VAD frames): shorter silences are not used (frame jitter)
MAX_DISTANCE_S = 0.6  # seconds: a pause farther than this (plus half its length) from every word boundary is
# not used (it lies inside a word the transcript does not have, or the alignment is off there)
MIN_WORD_S = 0.05  # seconds: shortest word left after a move


def snap_to_pauses(words: Sequence[Word], pauses: Sequence[tuple[float, float]]) -> list[Word]:
    """words: in time order, non-overlapping; pauses: (start, end) seconds of detected non-speech.

    Returns new words (same texts and confidences) with the boundary nearest each pause moved onto it; the
    order and non-overlap of the words are kept.
    """
    result = list(words)
    used: set[int] = set()
    for start, end in sorted(pauses, key=lambda pause: pause[0] - pause[1]):  # the longest pauses first
        if end - start < MIN_PAUSE_S or len(result) < 2:
            continue
        center = (start + end) / 2
        candidates = [i for i in range(len(result) - 1) if i not in used]
        if not candidates:
            break
        best = min(candidates, key=lambda i: abs((result[i].end + result[i + 1].start) / 2 - center))
        if abs((result[best].end + result[best + 1].start) / 2 - center) > MAX_DISTANCE_S + (end - start) / 2:
            continue
        before, after = result[best], result[best + 1]
        lower = result[best - 1].end if best > 0 else 0.0
        upper = result[best + 2].start if best + 2 < len(result) else float("inf")
        if start - lower < MIN_WORD_S or upper - end < MIN_WORD_S:
            continue  # the pause sits where the neighbouring words leave no room: keep the alignment
        new_before_start = min(before.start, start - MIN_WORD_S)
        new_after_end = max(after.end, end + MIN_WORD_S)
        if new_before_start < lower or new_after_end > upper:
            continue
        result[best] = replace(before, start=round(new_before_start, 3), end=round(start, 3))
        result[best + 1] = replace(after, start=round(end, 3), end=round(new_after_end, 3))
        used.add(best)
    return result
