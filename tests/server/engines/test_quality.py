from __future__ import annotations

import pytest

from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.quality import (
    WindowDecoding,
    average_logprob,
    compression_ratio,
    cut_repetition_loop,
    is_silence,
    needs_fallback,
    pick_final,
    too_repetitive,
)


def decoding(text="hello there", avg_logprob=-0.2, no_speech_prob=0.01, temperature=0.0) -> WindowDecoding:
    return WindowDecoding(tokens=(1, 2), text=text, avg_logprob=avg_logprob, no_speech_prob=no_speech_prob,
                          temperature=temperature, full_context=True)


def test_compression_ratio_separates_speech_from_loops():
    assert compression_ratio("") == 0.0
    assert compression_ratio("And so my fellow Americans, ask not what your country can do for you.") < 1.5
    assert compression_ratio("Thank you. " * 30) > 2.4


def test_average_logprob_undoes_the_length_normalisation():
    # CTranslate2 returns cumulative / n ** penalty; the average counts the end token too
    assert average_logprob(-1.0, 9, 1.0) == pytest.approx(-9.0 / 10)
    assert average_logprob(-1.0, 4, 0.5) == pytest.approx(-2.0 / 5)


def test_fallback_rules():
    options = DecodeOptions()
    assert not needs_fallback(decoding(), options)
    assert needs_fallback(decoding(text="Thank you. " * 30), options)  # repetition loop
    assert needs_fallback(decoding(avg_logprob=-1.5), options)  # improbable
    silent = decoding(avg_logprob=-1.5, no_speech_prob=0.9)
    assert is_silence(silent, options) and not needs_fallback(silent, options)
    confident = decoding(avg_logprob=-0.3, no_speech_prob=0.9)  # no-speech token likely, text confident
    assert not is_silence(confident, options)
    relaxed = DecodeOptions(compression_ratio_threshold=None, log_prob_threshold=None, no_speech_threshold=None)
    assert not needs_fallback(decoding(text="Thank you. " * 30, avg_logprob=-5.0), relaxed)
    assert not is_silence(silent, relaxed)


def test_pick_final_prefers_non_repetitive_then_probable():
    options = DecodeOptions()
    loop = decoding(text="Thank you. " * 30, avg_logprob=-0.1)
    weak = decoding(avg_logprob=-1.4, temperature=0.2)
    weaker = decoding(avg_logprob=-1.8, temperature=0.4)
    assert pick_final([loop, weaker, weak], options) is weak
    assert pick_final([loop], options) is loop
    assert too_repetitive(loop, options) and not too_repetitive(weak, options)


def test_cut_repetition_loop_keeps_one_copy_of_a_trailing_loop():
    assert cut_repetition_loop([5, 6, 7, 8, 9, 8, 9, 8, 9, 8, 9]) == [5, 6, 7, 8, 9]
    assert cut_repetition_loop([1] + [4] * 10) == [1, 4]
    assert cut_repetition_loop([1, 2, 3, 1, 2, 3]) == [1, 2, 3, 1, 2, 3]  # two copies: not a loop
    assert cut_repetition_loop([]) == []
