"""The consent refusal (voices/consent.py) names every failed check with its score and what to fix."""
from __future__ import annotations

from adapt_server.errors import FailedPrecondition
from adapt_server.voices.consent import ConsentRefused, ConsentVerdict
from adapt_server.voices.consent_statement import StatementCheck
from adapt_server.voices.speaker_check import SpeakerCheck

HEARD = "i am aware that recordings of my voice will be used to create and use a synthetic version of my voice"


def _statement(matched: bool) -> StatementCheck:
    return StatementCheck(matched, 1.0 if matched else 0.0, 1.0, 0.0 if not matched else 1.0,
                          1.0 if matched else 0.0, "", "", HEARD,
                          "matched" if matched else "the talent name was not heard (score 0.00 < 0.75)")


def _speaker(matched: bool, score: float) -> SpeakerCheck:
    return SpeakerCheck(matched, score, 0.62, "same speaker" if matched else
                        "the statement's speaker is not the dataset speaker")


def test_a_failed_speaker_check_names_its_cosine_and_threshold():
    refused = ConsentRefused(ConsentVerdict(_statement(True), _speaker(False, 0.312)))
    assert isinstance(refused, FailedPrecondition) and (refused.check, refused.score) == ("speaker", 0.312)
    assert "the speaker check failed (cosine 0.312 < 0.62)" in str(refused) and "Nothing was built" in str(refused)
    assert "statement check" not in str(refused)


def test_both_failed_checks_are_named_so_both_can_be_fixed_at_once():
    refused = ConsentRefused(ConsentVerdict(_statement(False), _speaker(False, 0.1)))
    message = str(refused)
    assert refused.check == "statement" and "the statement check failed (score 0.00)" in message
    assert "the talent name was not heard" in message and "must read 'I [first and last name]" not in message
    assert "; and the speaker check failed (cosine 0.100 < 0.62)" in message and HEARD in message


def test_a_passing_verdict_passes():
    verdict = ConsentVerdict(_statement(True), _speaker(True, 0.8))
    assert verdict.passed and verdict.failed_check() is None and verdict.to_dict()["passed"] is True
