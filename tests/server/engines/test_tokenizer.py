from __future__ import annotations

from pathlib import Path

import pytest

from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.models.bundled import bundled_model_path


@pytest.fixture(scope="module")
def tokenizer() -> WhisperTokenizer:
    return WhisperTokenizer(bundled_model_path() / "tokenizer.json", multilingual=False)


def test_special_tokens_of_the_english_only_vocabulary(tokenizer):
    assert (tokenizer.eot, tokenizer.sot, tokenizer.no_timestamps, tokenizer.timestamp_begin) == (
        50256, 50257, 50362, 50363)
    assert tokenizer.no_speech == tokenizer.tokenizer.token_to_id("<|nocaptions|>")
    assert tokenizer.sot_sequence("en") == [50257]  # no language or task token on English-only models
    assert tokenizer.language_token("en") is None


def test_encode_decode_round_trip_skips_special_tokens(tokenizer):
    tokens = tokenizer.encode(" Ask not what your country can do for you.")
    assert tokenizer.decode([tokenizer.sot] + tokens + [tokenizer.timestamp_begin + 5, tokenizer.eot]) == (
        " Ask not what your country can do for you.")


def test_split_words_keeps_spaces_and_splits_punctuation(tokenizer):
    tokens = tokenizer.encode(" Hello, Mr. O'Neil-Smith!")
    words = tokenizer.split_words(tokens)
    assert "".join(word.text for word in words) == " Hello, Mr. O'Neil-Smith!"
    assert [word.text for word in words][:4] == [" Hello", ",", " Mr", "."]
    assert sum(len(word.tokens) for word in words) == len(tokens)
    assert all(word.text[0] in " ,.!'-" for word in words)  # a word starts at a space or a punctuation mark


def test_suppressed_tokens(tokenizer):
    suppressed = tokenizer.suppressed_tokens((-1,))
    assert tokenizer.sot in suppressed and tokenizer.no_speech in suppressed
    assert tokenizer.encode(" (")[0] in suppressed  # annotation brackets
    assert tokenizer.encode(" Hello")[0] not in suppressed
    assert tokenizer.suppressed_tokens((7,)) == sorted({7, tokenizer.sot, tokenizer.sot_prev, tokenizer.sot_lm,
                                                       tokenizer.transcribe, tokenizer.translate,
                                                       tokenizer.no_speech})


def test_a_file_without_whisper_tokens_is_refused(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="tokenizer.json"):
        WhisperTokenizer(tmp_path / "tokenizer.json", multilingual=False)
