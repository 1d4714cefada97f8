"""What text a voice accepts, and how it is cut into sentences (the unit of streaming synthesis).

Pure string functions. Bad input is InvalidArgument with a message that says what to fix.
"""
from __future__ import annotations

import re
import unicodedata

from adapt_server.errors import InvalidArgument

MAX_TEXT_CHARS = 5000  # characters per request (about 5 minutes of speech at 150 words/min): longer texts
# should be split by the caller into several requests, so that one request cannot hold a worker for long
ALLOWED_CONTROL = frozenset("\n\r\t")  # control characters that are whitespace, kept as sentence breaks

# Words ending in "." that do not end a sentence (checked lower-cased, without the dot).
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co", "corp",
    "no", "approx", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
})
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n\s*\n|\n")
_WHITESPACE = re.compile(r"[ \t\r\f\v]+")


def check_text(text: object, max_chars: int = MAX_TEXT_CHARS) -> str:
    """`text` with runs of spaces collapsed and ends stripped, after checking it: a non-empty str of at most
    `max_chars` characters with no control characters other than newline, carriage return and tab."""
    if not isinstance(text, str):
        raise InvalidArgument(f"text must be a string, got {type(text).__name__}")
    if len(text) > max_chars:
        raise InvalidArgument(f"text has {len(text)} characters, more than the limit of {max_chars}: split it "
                              "into several requests (at sentence ends)")
    for position, char in enumerate(text):
        if char not in ALLOWED_CONTROL and unicodedata.category(char) in ("Cc", "Cs"):
            raise InvalidArgument(f"text contains the control character U+{ord(char):04X} at position {position}: "
                                  "remove it (only newlines and tabs are allowed)")
    cleaned = _WHITESPACE.sub(" ", text).strip()
    if not cleaned:
        raise InvalidArgument("text is empty: give at least one word to speak")
    if not any(char.isalnum() for char in cleaned):
        raise InvalidArgument(f"text {cleaned[:40]!r} has no letters or digits: give at least one word to speak")
    return cleaned


def split_sentences(text: str) -> list[str]:
    """The sentences of checked `text`, in order, each stripped and non-empty (line breaks always end one).

    A '.', '!' or '?' (with closing quotes or brackets) followed by whitespace ends a sentence, except after
    an abbreviation such as "Dr." or a single capital initial ("John F. Kennedy"); '3.5' and 'e.g.' inside a
    sentence never split it.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group().startswith(".") and ends_with_abbreviation(text[start:match.start()]):
            continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [sentence for sentence in sentences if any(char.isalnum() for char in sentence)] or (
        [text.strip()] if text.strip() else [])


def ends_with_abbreviation(before_dot: str) -> bool:
    """Whether a '.' right after `before_dot` belongs to an abbreviation or an initial, not a sentence end."""
    words = before_dot.split()
    if not words:
        return False
    word = words[-1].lower().lstrip("(\"'“‘")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and words[-1][-1].isupper())


def split_clauses(sentence: str, max_chars: int) -> list[str]:
    """`sentence` cut into pieces of at most `max_chars` characters: at clause punctuation (, ; : and dashes)
    where possible, else between words, else (one very long word) anywhere."""
    if len(sentence) <= max_chars:
        return [sentence]
    pieces: list[str] = []
    current = ""
    for part in re.split(r"(?<=[,;:—–])\s+", sentence):
        while len(part) > max_chars:  # a clause longer than the limit: cut it between words
            cut = part.rfind(" ", 0, max_chars + 1)
            cut = cut if cut > 0 else max_chars
            head, part = part[:cut].strip(), part[cut:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if current and len(current) + 1 + len(part) > max_chars:
            pieces.append(current)
            current = part
        else:
            current = f"{current} {part}".strip()
    if current:
        pieces.append(current)
    return [piece for piece in pieces if piece]
