"""The Redactor on words with times: tags, timed spans without values, entity groups, the drop test."""
from __future__ import annotations

import logging

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.redaction import RedactionSpan, Redactor, utterance_has_entities
from adapt_server.intake.redaction.analyzer import shared_analyzer
from adapt_server.spans import Word


def timed(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    """Whitespace words, each `step` seconds long, back to back."""
    return [Word(round(start + i * step, 3), round(start + (i + 1) * step - 0.05, 3), token)
            for i, token in enumerate(text.split())]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    shared_analyzer()  # load presidio + spaCy once for the module
    return Redactor()


def test_spoken_pii_is_tagged_and_timed(redactor):
    words = timed("Okay, this is Victor Hayes and my account is six five two zero, seven nine eight four.")
    result = redactor.redact(words)
    assert result.text == "Okay, this is [PERSON] and my account is [ACCOUNT_NUMBER]."
    assert [span.entity_type for span in result.spans] == ["PERSON", "ACCOUNT_NUMBER"]
    person, account = result.spans
    assert person.start <= words[3].start and person.end >= words[4].end
    assert account.start <= words[9].start and account.end >= words[-1].end
    assert result.word_types[3:5] == ("PERSON", "PERSON") and result.word_types[0] is None
    assert result.counts == {"PERSON": 1, "ACCOUNT_NUMBER": 1}
    assert result.text_of(0, 5) == "Okay, this is [PERSON]"
    assert result.text_of(4, 8) == "[PERSON] and my account"  # starts mid-entity: still tagged


def test_written_pii_phi_and_dates_of_birth(redactor):
    text = ("Patient Maria Lopez, medical record number 4456-7788, born on March 3, 1984, SSN 536-22-1234, "
            "email maria.lopez@quickmail.com, seen on June 2, 2024 for a follow up today.")
    result = redactor.redact(timed(text))
    for value in ("Maria", "Lopez", "4456", "1984", "536-22", "quickmail", "June"):
        assert value not in result.text
    types = {span.entity_type for span in result.spans}
    assert {"PERSON", "MEDICAL_RECORD_NUMBER", "DATE_OF_BIRTH", "US_SSN", "EMAIL_ADDRESS", "DATE"} <= types
    assert "today" in result.text  # a relative time is not a date of a person


def test_groups_limit_what_is_redacted(redactor):
    text = "My name is Elena Foster and my medical record number is four four five six seven seven."
    pii_only = Redactor(["pii"]).redact(timed(text))
    assert "[PERSON]" in pii_only.text and "[MEDICAL_RECORD_NUMBER]" not in pii_only.text
    phi_only = Redactor(["phi"]).redact(timed(text))
    assert "Elena Foster" in phi_only.text and "[MEDICAL_RECORD_NUMBER]" in phi_only.text


def test_given_text_and_text_only(redactor):
    words = timed("call me at five five five two one three four four oh nine")
    result = redactor.redact(words, text="Call me at: five five five, two one three, four four oh nine!")
    assert result.text == "Call me at: [PHONE_NUMBER]!"
    text_only = redactor.redact([], text="My name is Elena Foster.")
    assert text_only.text == "My name is [PERSON]." and text_only.spans == ()
    with pytest.raises(InvalidArgument, match="not in the text"):
        redactor.redact(words, text="something else entirely")


def test_no_value_in_spans_repr_or_logs(redactor, caplog):
    words = timed("My name is Elena Foster and my account is six zero five, zero nine eight, eight zero zero.")
    with caplog.at_level(logging.DEBUG):
        result = redactor.redact(words)
    leaked = repr(result.spans) + result.text + caplog.text
    for value in ("Elena", "Foster", "six zero five", "605098800"):
        assert value not in leaked
    assert all(set(vars(span)) == {"start", "end", "entity_type"} for span in result.spans)


def test_utterance_has_entities():
    spans = [RedactionSpan(1.0, 2.0, "PERSON"), RedactionSpan(5.0, 6.0, "MEDICAL_RECORD_NUMBER")]
    assert utterance_has_entities(spans, 0.0, 1.5, ["PERSON"])
    assert not utterance_has_entities(spans, 2.5, 4.5, ["pii", "phi"])
    assert utterance_has_entities(spans, 4.0, 7.0, ["phi"]) and not utterance_has_entities(spans, 4.0, 7.0, ["pii"])
    with pytest.raises(InvalidArgument):
        utterance_has_entities(spans, 0.0, 1.0, ["nope"])


def test_allowed_words_are_never_redacted(redactor):
    words = timed("Thank you for calling Veltora, my name is Riley. Veltora support is open.")
    result = Redactor(["pii"], allow=["Veltora"]).redact(words)
    assert result.text == "Thank you for calling Veltora, my name is [PERSON]. Veltora support is open."
