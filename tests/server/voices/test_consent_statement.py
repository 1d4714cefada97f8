"""The consent statement check: wording, name and company, tolerant of ASR spelling."""
from __future__ import annotations

import pytest

from adapt_server.audio.encode import resample
from adapt_server.errors import InvalidArgument
from adapt_server.tts import catalog
from adapt_server.voices.consent_statement import (NAME_MIN, STATEMENT_MIN, check_statement, expected_statement,
                                                   similarity)

STATEMENT = expected_statement("John Smith", "Contoso")


def test_the_statement_reads_as_azure_asks():
    assert STATEMENT == ("I John Smith am aware that recordings of my voice will be used by Contoso to create and "
                         "use a synthetic version of my voice.")


def test_the_exact_statement_matches_with_full_scores():
    check = check_statement(STATEMENT, "John Smith", "Contoso")
    assert check.matched and check.score == 1.0
    assert (check.heard_name, check.heard_company) == ("john smith", "contoso")


@pytest.mark.parametrize("heard_name", ["Jon Smyth", "John Smith,", "john-smith", "Jon Smith"])
def test_asr_spellings_of_the_name_pass(heard_name):
    check = check_statement(STATEMENT.replace("John Smith", heard_name), "John Smith", "Contoso")
    assert check.matched, check.reason
    assert check.name_score >= NAME_MIN


def test_spellings_that_sound_alike_pass_by_phonemes():
    assert similarity("Kathryn Jones", "Catherine Jones") == 1.0
    assert similarity("Mary Jones", "John Smith") < 0.3


def test_another_name_fails_naming_the_check_and_its_score():
    check = check_statement(STATEMENT.replace("John Smith", "Mary Jones"), "John Smith", "Contoso")
    assert not check.matched and check.heard_name == "mary jones"
    assert "talent name" in check.reason and f"below {NAME_MIN}" in check.reason


def test_a_statement_without_the_company_or_the_name_fails():
    without_company = check_statement(STATEMENT.replace("by Contoso ", "by "), "John Smith", "Contoso")
    assert not without_company.matched and "company" in without_company.reason
    assert without_company.company_score == 0.0
    without_name = check_statement(STATEMENT.replace("I John Smith am", "I am"), "John Smith", "Contoso")
    assert not without_name.matched and "talent name" in without_name.reason


def test_other_words_fail_on_the_wording():
    check = check_statement("I John Smith like pizza from Contoso.", "John Smith", "Contoso")
    assert not check.matched and check.statement_score < STATEMENT_MIN and "wording" in check.reason


def test_legal_forms_do_not_count_in_the_company():
    statement = expected_statement("Ana Lee", "Fabrikam Ltd.")
    assert check_statement(statement.replace("Fabrikam Ltd.", "Fabrikam Inc"), "Ana Lee", "Fabrikam Ltd.").matched


@pytest.mark.parametrize("name, company, fragment", [
    ("Cher", "Contoso", "first and last name"),
    ("", "Contoso", "talent name is empty"),
    ("John Smith", " ", "company is empty"),
    ("John\x07 Smith", "Contoso", "control characters"),
    ("John " + "x" * 200, "Contoso", "more than"),
])
def test_bad_name_or_company_is_invalid_argument(name, company, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        check_statement(STATEMENT, name, company)


def speak_without_noise(text: str):
    """16-kHz piper-joe speech with VITS's sampled noise off, so the test hears the same audio every run (with
    the noise, one CI run in many heard "Daniel Parker" as "annual parkroom")."""
    voice = catalog.load_stock_voice("piper-joe")
    voice.model.noise_scale = voice.model.noise_w = 0.0
    return resample(voice.synthesize(text), voice.info.sample_rate, 16000)


@pytest.mark.slow
def test_a_spoken_statement_transcribed_by_whisper_matches_and_one_without_the_company_does_not(whisper):
    spoken = whisper.transcribe(speak_without_noise(expected_statement("Daniel Parker", "Northwind"))).text
    check = check_statement(spoken, "Daniel Parker", "Northwind")
    assert check.matched, (spoken, check.reason)
    no_company = STATEMENT.replace("John Smith", "Daniel Parker").replace("by Contoso ", "by the company ")
    spoken = whisper.transcribe(speak_without_noise(no_company)).text
    assert not check_statement(spoken, "Daniel Parker", "Northwind").matched
