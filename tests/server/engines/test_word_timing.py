from __future__ import annotations

import pytest

from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.engines.word_timing import ENCODER_FRAMES_PER_SECOND, timed_words
from adapt_server.models.bundled import bundled_model_path


@pytest.fixture(scope="module")
def tokenizer() -> WhisperTokenizer:
    return WhisperTokenizer(bundled_model_path() / "tokenizer.json", multilingual=False)


def path_of(frames_per_token: list[int]) -> list[tuple[int, int]]:
    """A DTW path where token i (the last one is the end token) holds frames_per_token[i] encoder frames."""
    path, frame = [], 0
    for index, count in enumerate(frames_per_token):
        path += [(index, frame + step) for step in range(count)]
        frame += count
    return path


def test_words_get_the_frames_of_their_tokens(tokenizer):
    tokens = tokenizer.encode(" ask not what")
    assert len(tokens) == 3
    alignments = path_of([20, 10, 15, 5])  # 0.4 s, 0.2 s, 0.3 s, then the end token
    words = timed_words(tokenizer, tokens, alignments, [0.9, 0.5, 0.7], offset_s=10.0, window_end_s=20.0)
    assert [word.text for word in words] == [" ask", " not", " what"]
    assert [(word.start, word.end) for word in words] == [(10.0, 10.4), (10.4, 10.6), (10.6, 10.9)]
    assert [word.probability for word in words] == pytest.approx([0.9, 0.5, 0.7])
    assert 1 / ENCODER_FRAMES_PER_SECOND == 0.02


def test_punctuation_joins_its_word_and_times_stay_in_the_window(tokenizer):
    tokens = tokenizer.encode(' "Yes," he said.')
    words_before_merge = tokenizer.split_words(tokens)
    alignments = path_of([10] * len(tokens) + [5])
    words = timed_words(tokenizer, tokens, alignments, [0.8] * len(tokens), offset_s=2.0, window_end_s=2.5)
    assert [word.text for word in words] == [' "Yes,"', " he", " said."]
    assert len(words) < len(words_before_merge)
    assert all(2.0 <= word.start <= word.end <= 2.5 for word in words)
    assert all(earlier.end <= later.start for earlier, later in zip(words, words[1:]))


def test_a_first_word_stretched_over_leading_silence_is_cut(tokenizer):
    tokens = tokenizer.encode(" so my fellow americans")
    alignments = path_of([200] + [15] * (len(tokens) - 1) + [5])  # DTW gave the first word 4 s
    words = timed_words(tokenizer, tokens, alignments, [0.9] * len(tokens), offset_s=0.0, window_end_s=30.0)
    assert words[0].end == pytest.approx(4.0)
    assert words[0].end - words[0].start <= 2 * 0.7


def test_nothing_to_align_gives_no_words(tokenizer):
    assert timed_words(tokenizer, [], [(0, 0)], [], 0.0, 1.0) == []
