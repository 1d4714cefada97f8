"""Kokoro-82M speaking English: misaki phonemes, style packs, float-convolution graph, real synthesis."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.tts import kokoro
from adapt_server.tts.phonemes import phonemize

from .conftest import word_error_rate


def test_espeak_ipa_folds_into_misaki_symbols():
    assert kokoro.to_misaki(phonemize("Hello, I judge cheap boats.", tie="^")) == "həlˈO, I ʤˈʌʤ ʧˈip bˈOts."
    assert kokoro.to_misaki("bˈɜːd bˈʌtɚ") == "bˈɜɹd bˈʌtəɹ"


def test_style_packs_are_510_by_256_and_round_trip_as_npy():
    pack = kokoro.StylePack(np.random.default_rng(0).normal(size=(510, 1, 256)))
    assert pack.vectors.shape == (510, 256) and pack.vectors.dtype == np.float32
    assert pack.style(1).shape == (1, 256)
    np.testing.assert_array_equal(pack.style(10_000), pack.vectors[-1:])
    np.testing.assert_array_equal(kokoro.StylePack.from_bytes(pack.to_bytes()).vectors, pack.vectors)
    with pytest.raises(InvalidArgument, match="510 x 256"):
        kokoro.StylePack(np.zeros((10, 256)))
    with pytest.raises(InvalidArgument, match="finite"):
        kokoro.StylePack(np.full((510, 256), np.nan))
    with pytest.raises(InvalidArgument, match="not a Kokoro style pack"):
        kokoro.StylePack.from_bytes(b"not numpy")


def test_the_stock_packs_are_the_five_of_voices_ja(kumo):
    assert sorted(kumo.model.packs) == ["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"]


def test_a_short_sentence_is_intelligible_english_at_24khz(kumo, whisper):
    text = "Please call me back tomorrow morning."
    audio = kumo.synthesize(text)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert 1.0 < audio.size / kokoro.SAMPLE_RATE < 5.0
    assert np.abs(audio).max() > 0.05 and np.abs(audio).max() <= 1.0
    assert word_error_rate(whisper, audio, kokoro.SAMPLE_RATE, text) <= 0.2


def test_synthesis_is_deterministic_and_speed_changes_the_duration(kumo):
    first = kumo.synthesize("Good morning.")
    np.testing.assert_array_equal(first, kumo.synthesize("Good morning."))
    text = "Good morning everyone, and welcome to the meeting."
    assert kumo.synthesize(text, speed=1.6).size < 0.8 * kumo.synthesize(text).size


@pytest.mark.slow
def test_a_piece_over_the_token_limit_is_halved_between_words_not_cut(kumo):
    text = "123456789012345 " * 4  # each number reads as ~140 phoneme tokens: 567 in all, over the 510 limit
    assert len(kumo.model.phoneme_tokens(text)) > kokoro.MAX_TOKENS
    pieces = []
    original = kumo.model.infer

    def counting(tokens, pack, speed):
        assert len(tokens) <= kokoro.MAX_TOKENS
        pieces.append(len(tokens))
        return original(tokens, pack, speed)

    kumo.model.infer = counting
    try:
        kumo._speak(text.strip(), 2.0)
    finally:
        del kumo.model.infer
    assert len(pieces) == 2 and min(pieces) > 200  # two halves of about 280 tokens
