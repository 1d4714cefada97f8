from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from adapt_server.sampledata.constants import TTS_SAMPLE_RATE
from adapt_server.sampledata.espeak import EspeakVoice, synthesize

TEXT = "Thank you for calling, my Zentrix router keeps dropping the connection."
VOICE = EspeakVoice("en-us+f3", rate_wpm=155, pitch=55, pitch_range=75, word_gap_10ms=1)


def test_same_request_gives_the_same_samples_whatever_ran_before():
    first = synthesize(TEXT, VOICE, seed=3)
    synthesize("Something else entirely, to move the synthesizer's internal state.", EspeakVoice("en+m3"), 9)
    second = synthesize(TEXT, VOICE, seed=3)
    assert first.sample_rate == TTS_SAMPLE_RATE
    assert len(first.samples) > TTS_SAMPLE_RATE  # several seconds of speech
    assert first.samples.dtype == np.int16
    assert np.array_equal(first.samples, second.samples)
    assert first.word_marks == second.word_marks


def test_concurrent_requests_are_serialized_and_stay_deterministic():
    expected = synthesize(TEXT, VOICE, seed=1).samples
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: synthesize(TEXT, VOICE, seed=1).samples, range(8)))
    assert all(np.array_equal(result, expected) for result in results)


def test_word_marks_point_at_each_word_in_order():
    text = "please hold the reset button for five seconds"
    clip = synthesize(text, EspeakVoice("en-us+m7"))
    starts = [mark.char_start for mark in clip.word_marks]
    assert starts == [index for index, char in enumerate(text) if char != " " and (index == 0 or text[index - 1] == " ")]
    samples = [mark.sample for mark in clip.word_marks]
    assert samples == sorted(samples) and samples[-1] < len(clip.samples)


def test_a_different_voice_sounds_different():
    female = synthesize(TEXT, VOICE).samples
    male = synthesize(TEXT, EspeakVoice("en-us+m3", pitch=38)).samples
    assert len(female) != len(male) or not np.array_equal(female, male)


def test_unknown_voices_and_empty_texts_are_refused():
    with pytest.raises(ValueError, match="no-such-voice"):
        synthesize("hello", EspeakVoice("no-such-voice"))
    with pytest.raises(ValueError, match="non-empty"):
        synthesize("   ", VOICE)
