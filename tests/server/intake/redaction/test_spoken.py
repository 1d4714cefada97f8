"""Finders of spoken entities that presidio lacks (pure)."""
from __future__ import annotations

from adapt_server.intake.redaction.spoken import (
    digit_runs,
    introduced_names,
    spoken_dates,
    spoken_emails,
    street_addresses,
)


def found(finder, text):
    return [(item.entity_type, text[item.start:item.end]) for item in finder(text)]


def test_digit_strings_are_typed_by_their_context():
    text = ("The code is four five six seven. My account is six five two zero, seven nine eight four. You can "
            "call me at five five five, two one three, four four oh nine. My medical record number is four four "
            "five six seven seven.")
    assert found(digit_runs, text) == [
        ("DIGIT_STRING", "four five six seven"),
        ("ACCOUNT_NUMBER", "six five two zero, seven nine eight four"),
        ("PHONE_NUMBER", "five five five, two one three, four four oh nine"),
        ("MEDICAL_RECORD_NUMBER", "four four five six seven seven"),
    ]


def test_short_runs_written_numbers_and_double_digits():
    assert found(digit_runs, "I have one two three apples.") == []
    assert found(digit_runs, "Social security 536-22-1234.") == [("US_SSN", "536-22-1234")]
    assert found(digit_runs, "policy double five one two") == [("HEALTH_PLAN_NUMBER", "double five one two")]


def test_spoken_dates_and_dates_of_birth():
    text = ("What is your date of birth? It's March fifteenth, nineteen seventy one. I reset your modem and "
            "configured it for a better signal yesterday. It broke on the third of May, two thousand and three.")
    assert found(spoken_dates, text) == [("DATE_OF_BIRTH", "March fifteenth, nineteen seventy one"),
                                         ("DATE", "the third of May, two thousand and three")]


def test_spoken_email_leaves_out_lead_words():
    text = "Sure, my email is victor hayes eight eight at postbox dot net, thanks."
    assert found(spoken_emails, text) == [("EMAIL_ADDRESS", "victor hayes eight eight at postbox dot net")]
    assert found(spoken_emails, "I was at home today.") == []


def test_street_addresses_and_introduced_names():
    text = "Please send it to thirteen thirty eight Birch Avenue, Summerville. This is Fatima Brooks."
    assert found(street_addresses, text) == [("ADDRESS", "thirteen thirty eight Birch Avenue, Summerville")]
    assert found(introduced_names, text) == [("PERSON", "Fatima Brooks")]
    assert found(introduced_names, "It's March fifteenth. This is great.") == []
