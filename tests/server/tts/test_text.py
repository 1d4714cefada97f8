"""Input checks and sentence splitting of synthesis text."""
from __future__ import annotations

import re

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.tts.text import MAX_TEXT_CHARS, check_text, split_clauses, split_sentences


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("...?!", "no letters or digits"),
    ("x" * (MAX_TEXT_CHARS + 1), f"more than the limit of {MAX_TEXT_CHARS}"),
    ("hello\x07 world", "U+0007 at position 5"),
    ("hello\x00", "U+0000"),
    (b"hello", "must be a string"),
    (None, "must be a string"),
])
def test_bad_text_is_invalid_argument_saying_what_to_fix(text, fragment):
    with pytest.raises(InvalidArgument, match=re.escape(fragment)):
        check_text(text)


def test_check_text_collapses_spaces_and_keeps_line_breaks():
    assert check_text("  Hello \t  there.\nNext  line ") == "Hello there.\nNext line"


def test_a_megabyte_of_text_is_refused_before_any_work():
    with pytest.raises(InvalidArgument, match="split it"):
        check_text("word " * 200_000)


def test_sentences_split_at_ends_but_not_at_abbreviations_initials_or_decimals():
    text = "Dr. Smith paid 3.5 dollars. Did John F. Kennedy say that?! Yes... \"Quite.\" Then (e.g. now) we left"
    assert split_sentences(text) == ["Dr. Smith paid 3.5 dollars.", "Did John F. Kennedy say that?!", "Yes...",
                                     "\"Quite.\"", "Then (e.g. now) we left"]


def test_line_breaks_end_sentences_and_empty_pieces_are_dropped():
    assert split_sentences("First line\nsecond line.\n\n- \nthird") == ["First line", "second line.", "third"]


def test_long_sentences_split_at_clauses_then_between_words():
    sentence = "alpha beta gamma, delta epsilon; " + "word " * 30
    pieces = split_clauses(sentence.strip(), 40)
    assert all(len(piece) <= 40 for piece in pieces)
    assert " ".join(pieces).split() == sentence.split()
    assert pieces[0] == "alpha beta gamma, delta epsilon;"
    assert split_clauses("short", 40) == ["short"]
    assert split_clauses("x" * 100, 40) == ["x" * 40, "x" * 40, "x" * 20]
