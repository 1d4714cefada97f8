"""espeak-ng phonemization keeps clause punctuation, ties multi-letter phonemes on request."""
from __future__ import annotations

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.tts.phonemes import phonemize


def test_ipa_with_stress_and_the_clause_punctuation_put_back():
    assert phonemize("Hello world, this is a test. How are you?!") == \
        "həlˈoʊ wˈɜːld, ðɪs ɪz ɐ tˈɛst. hˈaʊ ɑːɹ juː?"


def test_abbreviations_do_not_end_a_clause_and_numbers_are_read():
    phonemes = phonemize("Dr. Who paid 3.5 dollars")
    assert "." not in phonemes
    assert "θɹˈiː pɔɪnt fˈaɪv" in phonemes


def test_tie_marks_diphthongs_and_affricates():
    assert phonemize("I judge", tie="^") == "a^ɪ d^ʒˈʌd^ʒ"


def test_unknown_language_is_invalid_argument():
    with pytest.raises(InvalidArgument, match="no language 'xx-nowhere'"):
        phonemize("hello", language="xx-nowhere")
