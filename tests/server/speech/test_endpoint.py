import numpy as np

from adapt_server.speech.endpoint import EnergyEndpointer
from adapt_server.speech.streaming import agreed_prefix

RATE = 16000


def _noise(seconds, level, seed=0):
    return (level * np.random.default_rng(seed).standard_normal(int(seconds * RATE))).astype(np.float32)


def _voice(seconds, seed=1):
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2  # syllable-like amplitude modulation
    return (0.2 * envelope * np.sin(2 * np.pi * 220 * t) + _noise(seconds, 0.003, seed)).astype(np.float32)


def test_speech_then_silence_is_an_endpoint_in_chunks_of_any_size():
    audio = np.concatenate([_noise(1.0, 0.003), _voice(2.0), _noise(1.0, 0.003, 2)])
    endpointer = EnergyEndpointer()
    silence_at_end = []
    for i in range(0, audio.size, 777):
        endpointer.accept(audio[i:i + 777])
        silence_at_end.append(endpointer.state.trailing_silence_s)
    assert endpointer.in_utterance
    assert abs(endpointer.state.last_speech_end_s - 3.0) < 0.1
    assert abs(endpointer.state.trailing_silence_s - 1.0) < 0.1


def test_noise_alone_never_starts_an_utterance():
    endpointer = EnergyEndpointer()
    endpointer.accept(_noise(5.0, 0.01))
    assert not endpointer.in_utterance


def test_reset_looks_for_the_next_utterance():
    endpointer = EnergyEndpointer()
    endpointer.accept(np.concatenate([_noise(0.5, 0.003), _voice(1.0), _noise(0.8, 0.003)]))
    endpointer.reset_utterance()
    assert not endpointer.in_utterance
    endpointer.accept(_voice(0.5, seed=3))
    assert endpointer.in_utterance and endpointer.state.trailing_silence_s == 0.0


def test_agreed_prefix_ignores_case_and_punctuation():
    assert agreed_prefix(["Hello,", "world", "again"], ["hello", "World.", "there"]) == 2
    assert agreed_prefix([], ["a"]) == 0
