"""Piper joe: Piper's id sequence, real synthesis at 22.05 kHz."""
from __future__ import annotations

import numpy as np

from .conftest import word_error_rate


def test_ids_are_bos_pad_interspersed_phonemes_and_eos(joe):
    ids = joe.model.phoneme_ids("Hi.")
    id_map = joe.model.id_map
    assert ids[:2] == [id_map["^"][0], id_map["_"][0]] and ids[-1] == id_map["$"][0]
    phonemes = ids[2:-1:2]
    assert all(pad == id_map["_"][0] for pad in ids[3:-1:2])
    assert phonemes == [id_map[symbol][0] for symbol in "hˈaɪ."]


def test_a_short_sentence_is_intelligible_english_at_22khz(joe, whisper):
    text = "The meeting starts at noon."
    audio = joe.synthesize(text)
    assert joe.info.sample_rate == 22050
    assert audio.dtype == np.float32 and 1.0 < audio.size / 22050 < 5.0
    assert word_error_rate(whisper, audio, 22050, text) <= 0.2


def test_speed_changes_the_duration(joe):
    assert joe.synthesize("Good morning everyone.", speed=2.0).size < \
        0.75 * joe.synthesize("Good morning everyone.", speed=1.0).size
