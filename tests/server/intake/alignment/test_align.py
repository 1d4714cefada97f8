"""align_transcript and pseudo_label with the real tiny.en engine on a generated call (exact word times)."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.alignment import MIN_ALIGNMENT_SCORE, align_transcript, cut_utterances, pseudo_label
from adapt_server.spans import SpeakerTurn

pytestmark = pytest.mark.slow
SAMPLE_RATE = 16000


@pytest.fixture(scope="module")
def aligned(generated_call, engine):
    return align_transcript(generated_call.audio, generated_call.text, engine)


def test_every_transcript_word_gets_accurate_times(aligned, generated_call):
    duration = generated_call.audio.size / SAMPLE_RATE
    assert [word.text for word in aligned.words] == generated_call.text.split()
    assert all(0 <= word.start <= word.end <= duration for word in aligned.words)
    assert all(a.end <= b.start for a, b in zip(aligned.words, aligned.words[1:]))
    assert all(0.0 <= word.confidence <= 1.0 for word in aligned.words)
    errors = np.abs([word.start - truth["start"] for word, truth in zip(aligned.words, generated_call.words)])
    assert np.median(errors) <= 0.08  # measured: ~0.03 s
    assert np.mean(errors <= 0.25) >= 0.9


def test_utterances_are_cut_at_pauses_and_cover_the_words(aligned):
    assert aligned.matches_audio and aligned.score >= MIN_ALIGNMENT_SCORE
    assert len(aligned.utterances) >= 3  # a 60-s call has turns separated by pauses
    assert [word for utterance in aligned.utterances for word in utterance.words] == list(aligned.words)
    for utterance in aligned.utterances:
        assert utterance.duration <= 30.0
        assert utterance.text == " ".join(word.text for word in utterance.words)
        assert (utterance.start, utterance.end) == (utterance.words[0].start, utterance.words[-1].end)
    short = cut_utterances(aligned.words, 5.0, None)
    assert len(short) > len(aligned.utterances) and all(utterance.duration <= 5.0 for utterance in short)


def test_speaker_turns_split_utterances(aligned, generated_call):
    turns = [SpeakerTurn(turn["start"], turn["end"], turn["role"]) for turn in generated_call.turns]
    utterances = cut_utterances(aligned.words, 30.0, None, turns=turns)
    assert {utterance.speaker for utterance in utterances} == {"agent", "customer"}
    changes = sum(a.speaker != b.speaker for a, b in zip(turns, turns[1:]))
    assert len(utterances) == changes + 1  # one utterance per run of one speaker's turns
    for utterance in utterances:
        middle = (utterance.start + utterance.end) / 2
        owner = min(turns, key=lambda turn: 0 if turn.start <= middle <= turn.end else
                    min(abs(turn.start - middle), abs(turn.end - middle)))
        assert utterance.speaker == owner.speaker


def test_a_transcript_of_other_audio_scores_low(generated_call, engine):
    clip = generated_call.audio[: 12 * SAMPLE_RATE]
    other = ("Four score and seven years ago our fathers brought forth on this continent a new nation, conceived "
             "in liberty, and dedicated to the proposition that all men are created equal.")
    result = align_transcript(clip, other, engine)
    assert result.score < MIN_ALIGNMENT_SCORE and not result.matches_audio
    assert len(result.words) == len(other.split())  # still aligned, for the caller to flag


@pytest.mark.parametrize("text, audio, limit, message", [
    ("", np.zeros(16000, np.float32), 30.0, "transcript is empty"),
    ("hello", np.zeros((2, 16000), np.float32), 30.0, "mono"),
    ("hello", np.zeros(0, np.float32), 30.0, "empty"),
    ("hello", np.zeros(16000, np.float32), 45.0, "max_utterance_s"),
])
def test_bad_input_is_an_invalid_argument(engine, text, audio, limit, message):
    with pytest.raises(InvalidArgument, match=message):
        align_transcript(audio, text, engine, max_utterance_s=limit)


def test_pseudo_labels_keep_confident_utterances(generated_call, engine):
    clip = generated_call.audio[: 14 * SAMPLE_RATE]
    kept = pseudo_label(clip, engine, min_confidence=0.0)
    assert kept.pseudo_labelled and kept.utterances and kept.dropped_utterances == 0
    assert all(utterance.pseudo_labelled and utterance.duration <= 30.0 for utterance in kept.utterances)
    assert 0.0 < kept.score <= 1.0
    strict = pseudo_label(clip, engine, min_confidence=1.0)
    assert strict.utterances == () and strict.dropped_utterances == len(kept.utterances)
    with pytest.raises(InvalidArgument, match="min_confidence"):
        pseudo_label(clip, engine, min_confidence=1.5)
