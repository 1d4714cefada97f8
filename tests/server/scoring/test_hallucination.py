"""Hallucination detectors: repetition loops and words over non-speech."""
from __future__ import annotations

import string

import numpy as np
import pytest

from adapt_server.scoring import Normalizer, score_utterances
from adapt_server.scoring.hallucination import (is_repetition_loop, longest_consecutive_repeat,
                                                max_window_compression_ratio, non_speech_seconds,
                                                words_on_non_speech)


def test_longest_consecutive_repeat_finds_the_looping_ngram():
    assert longest_consecutive_repeat([]) == (0, 0)
    assert longest_consecutive_repeat("a b c d".split()) == (1, 1)
    assert longest_consecutive_repeat("no no no".split()) == (1, 3)
    loop = "so thank you thank you thank you thank you thank you for".split()
    assert longest_consecutive_repeat(loop) == (2, 5)
    sentence = "i will call you back i will call you back i will call you back i will call you back".split()
    assert longest_consecutive_repeat(sentence) == (5, 4)
    assert longest_consecutive_repeat(sentence, max_ngram=4) == (1, 1)  # a 5-gram is not searched


def test_a_constructed_loop_is_a_repetition_loop_and_speech_is_not():
    loop = "the meeting is at the the the the the"
    assert is_repetition_loop(loop.split(), loop)
    assert not is_repetition_loop("no no no we said".split(), "No, no, no, we said.")  # 3 in a row is speech
    # a loop of a long sentence that the n-gram search cannot see is caught by compression
    phrase = ("we would like to thank everybody who joined the call today and we hope to see you again "
              "at the next quarterly review of the program ")
    text = phrase * 3
    assert longest_consecutive_repeat(text.split(), max_ngram=10)[1] == 1
    assert max_window_compression_ratio(text) > 2.4
    assert is_repetition_loop(text.split(), text)


@pytest.mark.realspeech
def test_no_real_hypothesis_is_flagged_as_a_loop(manifest_utterances):
    scores = score_utterances(manifest_utterances, Normalizer())
    assert not any(score.repetition_loop for score in scores)
    assert max(max_window_compression_ratio(u.hypothesis) for u in manifest_utterances) < 2.0


def test_a_loop_inside_a_long_transcript_is_judged_per_window():
    """Whisper tests compression per 30-s window; over a whole long transcript a local loop is diluted."""
    rng = np.random.default_rng(0)
    letters = np.array(list(string.ascii_lowercase))
    filler = ["".join(rng.choice(letters, size=rng.integers(3, 9))) for _ in range(800)]  # no repetition
    phrase = "we would like to thank everybody who joined the call today and".split()  # 12 words
    words = filler[:400] + phrase * 8 + filler[400:]
    text = " ".join(words)
    assert max_window_compression_ratio(text, window_words=len(words)) < 2.0  # the whole text looks fine
    assert max_window_compression_ratio(text) > 2.4
    assert is_repetition_loop(words, text)
    assert not is_repetition_loop(filler, " ".join(filler))


def test_words_on_non_speech_use_the_word_midpoint():
    words = [(0.0, 0.4), (0.9, 1.3), (2.0, 2.2), (5.0, 6.0), (9.5, 9.9)]  # midpoints 0.2 1.1 2.1 5.5 9.7
    non_speech = [(1.0, 2.1), (5.0, 5.6), (4.9, 5.2), (9.0, 9.7)]  # unsorted, overlapping; [start, end)
    assert words_on_non_speech(words, non_speech) == 2  # 1.1 and 5.5; 2.1 and 9.7 are at an open end
    assert words_on_non_speech(words, []) == 0
    assert words_on_non_speech([], non_speech) == 0


def test_non_speech_seconds_is_the_length_of_the_union():
    assert non_speech_seconds([(1.0, 2.1), (5.0, 5.6), (4.9, 5.2), (9.0, 9.7), (5.1, 5.3)]) == pytest.approx(
        1.1 + 0.7 + 0.7)
    assert non_speech_seconds([]) == 0.0
