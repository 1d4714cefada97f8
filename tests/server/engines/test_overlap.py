from __future__ import annotations

import pytest

from adapt_server.engines.overlap import without_repeated_start
from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.models.bundled import bundled_model_path


@pytest.fixture(scope="module")
def tokenizer() -> WhisperTokenizer:
    return WhisperTokenizer(bundled_model_path() / "tokenizer.json", multilingual=False)


def stamp(tokenizer: WhisperTokenizer, seconds: float) -> int:
    return tokenizer.timestamp_begin + round(seconds / 0.02)


def segment(tokenizer: WhisperTokenizer, start: float, text: str, end: float) -> list[int]:
    return [stamp(tokenizer, start), *tokenizer.encode(text), stamp(tokenizer, end)]


def trimmed(tokenizer, continuation: list[int], previous: str) -> list[int]:
    return without_repeated_start(continuation, tokenizer.encode(previous), tokenizer, "en")


def test_a_continuation_that_only_repeats_the_last_words_is_dropped(tokenizer):
    previous = " so I don't hear that in New Jersey now."
    assert trimmed(tokenizer, segment(tokenizer, 0.0, " New Jersey now.", 0.86), previous) == []
    assert trimmed(tokenizer, segment(tokenizer, 0.0, " now", 0.3), previous) == []  # case, punctuation aside


def test_repeated_first_words_are_cut_and_the_rest_kept_with_its_timestamps(tokenizer):
    previous = " so I don't hear that in New Jersey now."
    continuation = segment(tokenizer, 0.0, " New Jersey now.", 0.86) + segment(tokenizer, 0.86, " Bye then.", 2.0)
    kept = trimmed(tokenizer, continuation, previous)
    assert kept == segment(tokenizer, 0.86, " Bye then.", 2.0)  # the emptied first segment's stamps go
    same_segment = segment(tokenizer, 0.0, " Jersey now. Bye then.", 2.0)
    assert tokenizer.decode(trimmed(tokenizer, same_segment, previous)).strip() == "Bye then."


def test_new_speech_and_a_single_repeated_word_are_kept(tokenizer):
    previous = " so I don't hear that in New Jersey now."
    fresh = segment(tokenizer, 0.0, " Well, bye then.", 1.2)
    assert trimmed(tokenizer, fresh, previous) == fresh
    one_word = segment(tokenizer, 0.0, " now we go.", 1.2)  # one repeated word before new ones: could be spoken
    assert trimmed(tokenizer, one_word, previous) == one_word
    assert trimmed(tokenizer, fresh, "") == fresh
