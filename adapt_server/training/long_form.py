"""Long-form training items: stretches of consecutive utterances of one recording (pure).

Whisper decodes 30-s windows. Trained on single turns only (a few seconds each), a tuned model can lose its
long-form behaviour: on a 30-s conversational clip it repeated the window's last phrase and dropped words
(docs/training.md, "Long-form items"). Training also on stretches of consecutive turns, cut from the same
recording, keeps windows that run across turns and speakers in the training data.
"""
from __future__ import annotations

from collections.abc import Sequence

MIN_UTTERANCES = 2  # a stretch holds at least two utterances (one is an ordinary item already)


def long_form_groups(starts: Sequence[float], ends: Sequence[float], max_seconds: float,
                     follows: Sequence[bool] | None = None) -> list[tuple[int, int]]:
    """[first, last) index ranges of consecutive utterances, greedily from the first, each spanning at most
    max_seconds from the first's start to the last's end, each of at least MIN_UTTERANCES utterances; every
    utterance is in at most one range.

    starts / ends: seconds of each utterance in one recording, in time order. follows[i]: utterance i directly
    follows utterance i - 1 (nothing dropped between them: a stretch never spans a gap in the transcript);
    None: all do. No ranges when max_seconds <= 0."""
    if max_seconds <= 0:
        return []
    groups: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(starts) + 1):
        breaks = (i == len(starts) or (follows is not None and not follows[i])
                  or ends[i] - starts[first] > max_seconds)
        if breaks:
            if i - first >= MIN_UTTERANCES:
                groups.append((first, i))
            first = i
    return groups
