"""Words of a turn: whitespace-separated tokens with their character spans (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,?!;:\"()"


@dataclass(frozen=True)
class Token:
    """One word of a turn. Word index i of a turn is its i-th whitespace-separated token."""

    text: str  # the word without surrounding punctuation: "Dana" for "Dana,"
    char_start: int  # offset of the token's first character in the turn text (punctuation included)
    char_end: int  # offset one past the token's last character (punctuation included)


def tokenize(text: str) -> tuple[Token, ...]:
    """Split a turn into whitespace-separated words: "Hi Dana, thanks." -> Hi, Dana, thanks."""
    return tuple(
        Token(match.group().strip(_EDGE_PUNCTUATION), match.start(), match.end())
        for match in _TOKEN.finditer(text)
    )


def tokens_in_span(tokens: tuple[Token, ...], char_start: int, char_end: int) -> tuple[int, ...]:
    """Indices of the tokens that overlap the character span [char_start, char_end)."""
    return tuple(
        index for index, token in enumerate(tokens) if token.char_start < char_end and char_start < token.char_end
    )
