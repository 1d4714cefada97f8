"""Corpus metrics: ratios of sums, slices that partition the corpus, most-missed words, RTF, hallucinations."""
from __future__ import annotations

import math

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.scoring import (Normalizer, TranscribedUtterance, corpus_cer, corpus_wer, most_wrong_words,
                                  realtime_factor, score_utterances, slice_counts, summarize_hallucinations,
                                  total_counts)

BASIC = Normalizer("basic")


def scored(*utterances: TranscribedUtterance):
    return score_utterances(utterances, BASIC)


def test_corpus_wer_is_a_ratio_of_sums_not_a_mean_of_rates():
    scores = scored(TranscribedUtterance("short", "yes", "no"),  # 1 error / 1 word
                    TranscribedUtterance("long", "one two three four five six seven eight nine", "one two three "
                                         "four five six seven eight nine"))  # 0 / 9
    assert corpus_wer(scores) == pytest.approx(0.1)  # (1 + 0) / (1 + 9), where the mean of rates is 0.5
    assert np.mean([score.wer for score in scores]) == pytest.approx(0.5)


def test_an_empty_reference_still_counts_its_insertions():
    scores = scored(TranscribedUtterance("a", "hello there", "hello there"), TranscribedUtterance("b", "", "oops"))
    assert corpus_wer(scores) == 0.5
    assert math.isnan(corpus_wer(scored(TranscribedUtterance("b", "", "oops"))))


def test_realtime_factor_is_total_processing_over_total_audio():
    scores = scored(TranscribedUtterance("a", "x", "x", audio_s=10.0, processing_s=1.0),
                    TranscribedUtterance("b", "x", "x", audio_s=30.0, processing_s=9.0))
    assert realtime_factor(scores) == pytest.approx(10.0 / 40.0)


@pytest.mark.realspeech
@pytest.mark.parametrize("by", ["speaker", "recording", "source"])
def test_slices_partition_the_corpus(manifest_utterances, by):
    scores = score_utterances(manifest_utterances, Normalizer())
    slices = slice_counts(scores, by)
    total = total_counts(scores)
    assert len(slices) > 1
    for field in ("utterances", "ref_words", "substitutions", "deletions", "insertions", "ref_chars", "char_edits"):
        assert sum(getattr(counts, field) for counts in slices.values()) == getattr(total, field), field
    assert sum(counts.audio_s for counts in slices.values()) == pytest.approx(total.audio_s)
    if by == "recording":
        assert slices["whisper_jfk"].utterances == 1
    assert corpus_cer(scores) == pytest.approx(total.cer)


def test_slices_by_hand_and_unknown_keys():
    scores = scored(TranscribedUtterance("1", "a b", "a c", speaker="ann"),
                    TranscribedUtterance("2", "a b", "a b", speaker="bob"),
                    TranscribedUtterance("3", "a b c d", "a", speaker="ann"),
                    TranscribedUtterance("4", "a", "a"))
    slices = slice_counts(scores, "speaker")
    assert list(slices) == ["", "ann", "bob"]
    assert (slices["ann"].utterances, slices["ann"].ref_words, slices["ann"].word_errors) == (2, 6, 4)
    assert slices["bob"].wer == 0.0
    with pytest.raises(InvalidArgument, match="speaker, recording, source"):
        slice_counts(scores, "channel")


def test_most_wrong_words_counts_substitutions_and_deletions():
    scores = scored(TranscribedUtterance("1", "call acme today", "call acne today"),
                    TranscribedUtterance("2", "acme support", "acne support"),
                    TranscribedUtterance("3", "the acme team", "the team"),
                    TranscribedUtterance("4", "acme rocks", "akme rocks"),
                    TranscribedUtterance("5", "hello", "hello there"))  # insertions are not reference words
    words = most_wrong_words(scores, limit=5)
    assert [word.word for word in words] == ["acme"]
    acme = words[0]
    assert (acme.errors, acme.substitutions, acme.deletions) == (4, 3, 1)
    assert (acme.top_hypothesis, acme.top_hypothesis_count) == ("acne", 2)
    only_deleted = most_wrong_words(scored(TranscribedUtterance("1", "a b", "a")))
    assert (only_deleted[0].word, only_deleted[0].top_hypothesis, only_deleted[0].top_hypothesis_count) == ("b", None, 0)


def test_hallucination_summary():
    scores = scored(
        TranscribedUtterance("silence", "", "thank you for watching", audio_s=2.0),  # 4 words on non-speech
        TranscribedUtterance("gap", "hello", "hello uh huh", audio_s=5.0, nonspeech_s=3.0, nonspeech_words=2),
        TranscribedUtterance("loop", "we can go", "we can go go go go go", audio_s=3.0),
        TranscribedUtterance("clean", "fine", "fine", audio_s=1.0, nonspeech_s=0.5))
    summary = summarize_hallucinations(scores)
    assert (summary.utterances, summary.hallucinated_utterances, summary.repetition_loops) == (4, 3, 1)
    assert (summary.nonspeech_words, summary.nonspeech_s) == (6, 5.5)
    assert summary.rate == 0.75
    assert summary.nonspeech_words_per_hour == pytest.approx(6 / (5.5 / 3600))
    assert math.isnan(summarize_hallucinations(scored(TranscribedUtterance("x", "a", "a"))).nonspeech_words_per_hour)
