from __future__ import annotations

import pytest

from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.quality import (
    WindowDecoding,
    average_logprob,
    compression_ratio,
    MAX_SPEECH_TOKENS_PER_SECOND,
    MIN_LOOP_REPEATS,
    Run,
    cut_repetition_loop,
    is_fast_loop,
    is_silence,
    longest_run,
    needs_fallback,
    pick_final,
    too_repetitive,
)


def decoding(text="hello there", avg_logprob=-0.2, no_speech_prob=0.01, temperature=0.0,
             tokens=(1, 2)) -> WindowDecoding:
    return WindowDecoding(tokens=tuple(tokens), text=text, avg_logprob=avg_logprob, no_speech_prob=no_speech_prob,
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


def test_cut_repetition_loop_keeps_one_copy_of_the_longest_loop():
    assert cut_repetition_loop([5, 6, 7, 8, 9, 8, 9, 8, 9, 8, 9]) == [5, 6, 7, 8, 9]
    assert cut_repetition_loop([1] + [4] * 10) == [1, 4]
    assert cut_repetition_loop([1, 2, 3, 1, 2, 3]) == [1, 2, 3, 1, 2, 3]  # two copies: not a loop
    assert cut_repetition_loop([]) == []
    assert cut_repetition_loop([9, 5, 3, 5, 3, 5, 3, 5, 3, 5, 7, 8]) == [9, 5, 3, 5, 7, 8]  # inside the text too


def test_longest_run_finds_the_run_covering_most_tokens():
    assert longest_run([1, 2, 3]) == Run(0, 0, 1)
    assert longest_run([7, 1, 1, 2, 3, 2, 3, 2, 3]) == Run(3, 2, 3)  # 6 tokens beat the 2 of "1 1"
    assert longest_run([4] * 6) == Run(0, 1, 6)  # of equal coverage, the shortest n-gram
    assert longest_run([1, 2] * 20, max_ngram=1) == Run(0, 0, 1)


# "<|0.00|>5, 5, 5, 5, 5, 5, 5, 5, 5, 5<|0.94|>" (tiny.en's token ids), as a fine-tuned tiny.en wrote the 1.6-s
# "five five" of ../shared/realspeech/asr: "5", then nine copies of ", 5"
FIVES = (50363, 20) + (11, 642) * 9 + (50410,)


def test_a_run_of_repeats_faster_than_speech_is_a_loop_though_it_compresses_like_speech():
    fives = decoding(text="5, 5, 5, 5, 5, 5, 5, 5, 5, 5", tokens=FIVES)
    options = DecodeOptions()
    assert fives.compression_ratio < options.compression_ratio_threshold  # zlib alone misses it
    assert too_repetitive(fives, options, speech_s=1.55) and needs_fallback(fives, options, speech_s=1.55)
    assert not too_repetitive(fives, options)  # the window's speech unknown: the compression check only
    slow = len(FIVES) / MAX_SPEECH_TOKENS_PER_SECOND + 0.1  # the same run spoken over enough seconds: speech
    assert is_fast_loop(FIVES, 1.55) and not is_fast_loop(FIVES, slow)
    assert not too_repetitive(fives, DecodeOptions(compression_ratio_threshold=None), speech_s=1.55)
    few = FIVES[:2 + 2 * (MIN_LOOP_REPEATS - 2)] + FIVES[-1:]  # fewer copies than a loop: "no, no, no" is speech
    assert not is_fast_loop(few, 0.1)
    assert pick_final([fives, decoding(avg_logprob=-1.3)], options, speech_s=1.55).avg_logprob == -1.3
