"""Normalizers chosen by name: Whisper's English normalizer (default), basic, none."""
from __future__ import annotations

import jiwer
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.text import DEFAULT_NORMALIZER, NORMALIZER_NAMES, Normalizer, normalizer_by_name


def test_the_default_is_whispers_english_normalizer():
    assert DEFAULT_NORMALIZER == "whisper_english" == Normalizer().name
    normalize = Normalizer()
    assert normalize("Mr. Smith, um, paid twenty-five dollars for the colour TV.") == "mister smith paid $25 for the color tv"
    assert normalize("Um, uh, hmm.") == ""


def test_basic_lowercases_and_strips_punctuation_only():
    normalize = normalizer_by_name("basic")
    assert normalize("Mr. Smith's  well-known COLOUR, (TV)!") == "mr smiths well known colour tv"
    assert normalize.words("Twenty-five, sir.") == ["twenty", "five", "sir"]


def test_none_only_collapses_whitespace():
    assert normalizer_by_name("none")("  Mr.   Smith,\tthere ") == "Mr. Smith, there"


def test_an_unknown_name_is_invalid_and_lists_the_choices():
    with pytest.raises(InvalidArgument) as error:
        normalizer_by_name("whisper")
    assert error.value.code == "INVALID_ARGUMENT"
    for name in NORMALIZER_NAMES:
        assert name in error.value.message


@pytest.mark.realspeech
@pytest.mark.parametrize(("normalizer_name", "field"), [("whisper_english", "wer_whisper_norm"), ("basic", "wer")])
def test_per_item_wer_reproduces_the_manifest(asr_manifest, normalizer_name, field):
    """The corpus's per-item WERs were computed with openai/whisper's normalizer and with basic normalization
    (lowercase, no punctuation, hyphens to spaces): both of ours reproduce them item by item."""
    normalize = normalizer_by_name(normalizer_name)
    for item in asr_manifest:
        reference, hypothesis = normalize(item["text"]), normalize(item["whisper_tiny_hyp"])
        assert jiwer.wer(reference, hypothesis) == pytest.approx(item[field], abs=5e-4), item["id"]
