from __future__ import annotations

import dataclasses

import pytest

from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions, VadOptions


def test_defaults_are_valid_and_frozen():
    options = DecodeOptions()
    assert options.validate() is options
    assert options.beam_size == 5 and options.temperatures == (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    assert options.compression_ratio_threshold == 2.4 and options.log_prob_threshold == -1.0
    assert options.no_speech_threshold == 0.6 and options.word_timestamps is True
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.beam_size = 1


@pytest.mark.parametrize("field, value", [
    ("beam_size", 0), ("beam_size", 33), ("beam_size", 2.0), ("beam_size", True),
    ("best_of", 0),
    ("patience", 0.0), ("patience", float("nan")),
    ("length_penalty", -1.0),
    ("temperatures", ()), ("temperatures", [0.0, 0.2]), ("temperatures", (0.4, 0.2)),
    ("compression_ratio_threshold", 0.0),
    ("log_prob_threshold", 0.5),
    ("no_speech_threshold", 1.5),
    ("word_timestamps", 1), ("without_timestamps", "yes"), ("suppress_blank", None),
    ("initial_prompt", 42), ("hotwords", "x" * 2001),
    ("language", "e"), ("language", None),
    ("max_new_tokens", 0), ("max_new_tokens", 445),
    ("repetition_penalty", 0.0),
    ("no_repeat_ngram_size", -1),
    ("suppress_tokens", (-2,)), ("suppress_tokens", [1, 2]),
    ("encoder_padding_s", -1.0), ("encoder_padding_s", 31.0),
    ("vad", {"threshold": 0.5}),
])
def test_out_of_range_fields_are_named(field, value):
    with pytest.raises(InvalidDecodeOptions) as raised:
        DecodeOptions(**{field: value}).validate()
    assert raised.value.field.startswith(field)
    assert field in str(raised.value)
    assert isinstance(raised.value, ValueError)  # the API maps ValueError to INVALID_ARGUMENT


def test_the_message_states_the_allowed_range():
    with pytest.raises(InvalidDecodeOptions, match=r"beam_size: must be an integer in \[1, 32\]; got 0"):
        DecodeOptions(beam_size=0).validate()


def test_a_bad_temperature_is_named_by_index():
    with pytest.raises(InvalidDecodeOptions) as raised:
        DecodeOptions(temperatures=(0.0, 3.0)).validate()
    assert raised.value.field == "temperatures[1]"


@pytest.mark.parametrize("field, value", [
    ("threshold", 0.0), ("threshold", 1.1), ("neg_threshold", 0.9), ("min_speech_s", -0.1),
    ("min_silence_s", 11.0), ("speech_pad_s", 3.0),
])
def test_vad_fields_are_named_with_their_prefix(field, value):
    with pytest.raises(InvalidDecodeOptions) as raised:
        DecodeOptions(vad=VadOptions(**{field: value})).validate()
    assert raised.value.field == f"vad.{field}"


def test_optional_checks_can_be_disabled():
    DecodeOptions(compression_ratio_threshold=None, log_prob_threshold=None, no_speech_threshold=None,
                  encoder_padding_s=None, max_new_tokens=444, temperatures=(0.0,)).validate()


def test_an_empty_language_asks_for_detection():
    assert DecodeOptions(language="").validate().language == ""
