"""Per-utterance alignment and counts, checked by hand and against jiwer on real tiny.en hypotheses."""
from __future__ import annotations

import math

import jiwer
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.scoring import (AlignedWord, Normalizer, TranscribedUtterance, corpus_cer, corpus_wer,
                                  score_utterance, score_utterances, total_counts)

BASIC = Normalizer("basic")


def test_hand_checked_substitution_deletion_insertion():
    score = score_utterance(TranscribedUtterance("u1", "One two three, four five six.", "one too three five six seven",
                                                 recording_id="r1", speaker="A", source="s"), BASIC)
    assert (score.ref_words, score.substitutions, score.deletions, score.insertions) == (6, 1, 1, 1)
    assert score.word_errors == 3 and score.hyp_words == 6 and score.wer == 0.5
    assert score.alignment == (
        AlignedWord("equal", "one", "one"), AlignedWord("substitute", "two", "too"),
        AlignedWord("equal", "three", "three"), AlignedWord("delete", "four", None),
        AlignedWord("equal", "five", "five"), AlignedWord("equal", "six", "six"), AlignedWord("insert", None, "seven"))
    assert (score.utterance_id, score.recording_id, score.speaker, score.source) == ("u1", "r1", "A", "s")
    assert score.reference == "One two three, four five six." and score.reference_normalized == "one two three four five six"


def test_character_edits_count_spaces_as_characters():
    score = score_utterance(TranscribedUtterance("u", "abc de", "abd  de"), BASIC)
    assert (score.ref_chars, score.char_edits, score.cer) == (6, 1, 1 / 6)
    score = score_utterance(TranscribedUtterance("u", "ab cd", "abcd"), BASIC)  # one space deleted
    assert (score.ref_chars, score.char_edits) == (5, 1)
    assert score.cer == jiwer.cer("ab cd", "abcd")


def test_an_empty_reference_makes_every_word_an_insertion_on_non_speech():
    score = score_utterance(TranscribedUtterance("silence", "", "Thank you.", audio_s=3.0, nonspeech_s=1.0,
                                                 nonspeech_words=0), BASIC)
    assert (score.ref_words, score.insertions, score.hyp_words) == (0, 2, 2)
    assert math.isnan(score.wer) and math.isnan(score.cer)
    assert score.nonspeech_exposure == (2, 3.0)  # the whole utterance is non-speech
    assert score.hallucinated
    quiet = score_utterance(TranscribedUtterance("silence", "", "", audio_s=3.0), BASIC)
    assert quiet.nonspeech_exposure == (0, 3.0) and not quiet.hallucinated


def test_an_empty_hypothesis_deletes_every_word():
    score = score_utterance(TranscribedUtterance("u", "a b c", ""), BASIC)
    assert (score.deletions, score.wer, score.char_edits) == (3, 1.0, 5)


def test_invalid_utterances_say_what_is_wrong():
    with pytest.raises(InvalidArgument, match="audio_s"):
        TranscribedUtterance("u", "a", "a", audio_s=-1.0)
    with pytest.raises(InvalidArgument, match="utterance_id"):
        TranscribedUtterance("", "a", "a")
    assert score_utterances([], BASIC) == ()


@pytest.mark.realspeech
@pytest.mark.parametrize(("normalizer_name", "wer_key", "counts_keys"), [
    ("whisper_english", "corpus_wer_whisper_english_norm", ("S2", "D2", "I2")),
    ("basic", "corpus_wer_basic_norm", ("S", "D", "I")),
])
def test_corpus_wer_reproduces_the_manifest_summary_and_jiwer(manifest_utterances, asr_summary, normalizer_name,
                                                               wer_key, counts_keys):
    normalize = Normalizer(normalizer_name)
    scores = score_utterances(manifest_utterances, normalize)
    counts = total_counts(scores)
    assert (counts.substitutions, counts.deletions, counts.insertions) == tuple(asr_summary[k] for k in counts_keys)
    assert corpus_wer(scores) == pytest.approx(asr_summary[wer_key], abs=5e-5)
    # an independent computation: jiwer over the normalized lists, without our alignment code
    references = [normalize(u.reference) for u in manifest_utterances]
    hypotheses = [normalize(u.hypothesis) for u in manifest_utterances]
    assert corpus_wer(scores) == pytest.approx(jiwer.wer(references, hypotheses), abs=1e-12)
    assert corpus_cer(scores) == pytest.approx(jiwer.cer(references, hypotheses), abs=1e-12)
    assert counts.ref_words == sum(len(reference.split()) for reference in references)
    # per utterance too, and the alignment pairs agree with the counts
    for utterance, score, reference, hypothesis in zip(manifest_utterances, scores, references, hypotheses):
        if reference:
            assert score.wer == pytest.approx(jiwer.wer(reference, hypothesis), abs=1e-12), utterance.utterance_id
        ops = [pair.op for pair in score.alignment]
        assert (ops.count("substitute"), ops.count("delete"), ops.count("insert")) == \
               (score.substitutions, score.deletions, score.insertions)
        assert [pair.ref for pair in score.alignment if pair.ref is not None] == reference.split()
        assert [pair.hyp for pair in score.alignment if pair.hyp is not None] == hypothesis.split()
