"""Qwen3ForcedAligner on a tiny random Qwen3-ForcedAligner: one timed word per window word, in order, inside the
window, on the recording's timeline (random weights: the times themselves mean nothing)."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.engines.protocol import AlignmentWindow, WordAligner
from adapt_server.engines.transformers import load_transformers_aligner
from adapt_server.engines.transformers.aligner import alignment_text


@pytest.fixture(scope="module")
def aligner(tiny):
    return load_transformers_aligner("tiny-aligner", tiny("qwen3_forced_aligner"), threads=1)


def test_one_timed_word_per_word_inside_each_window(aligner, utterance):
    assert isinstance(aligner, WordAligner)
    recording = np.concatenate([np.zeros(16000, np.float32), utterance, utterance])
    second = 1.0 + utterance.size / 16000
    windows = [AlignmentWindow(1.0, second, ("The", "birch", "canoe", "slid", "on", "the", "smooth", "planks.")),
               AlignmentWindow(second, second + 2.0, ("Hello,", "—", "it's", "me")),
               AlignmentWindow(0.0, 0.5, ())]
    aligned = aligner.align_words(recording, windows)
    assert len(aligned) == len(windows)
    for window, words in zip(windows, aligned):
        assert [word.text for word in words] == list(window.words)
        for word in words:
            assert window.start <= word.start <= word.end <= window.end + 1e-9
            assert word.confidence is not None and 0.0 <= word.confidence <= 1.0
        starts = [word.start for word in words]
        assert starts == sorted(starts)
    dash = aligned[1][1]
    assert dash.confidence == 0.0 and dash.start == dash.end  # nothing of it left to align


def test_alignment_text_keeps_letters_digits_and_apostrophes():
    assert [alignment_text(word) for word in ("Hello,", "it's", "—", "4.5", "naïve!")] == [
        "Hello", "it's", "", "45", "naïve"]


def test_windows_longer_than_30_seconds_are_refused(aligner):
    with pytest.raises(ValueError, match="0..30 s"):
        aligner.align_words(np.zeros(16000 * 40, np.float32), [AlignmentWindow(0.0, 35.0, ("word",))])
