"""The consent statement a voice talent records, and the check of its transcript (the Azure Personal Voice way).

The talent says: "I [first and last name] am aware that recordings of my voice will be used by [company] to
create and use a synthetic version of my voice." The recording is transcribed (the caller runs ASR) and the
transcript is checked in three parts, each with a score in [0, 1]:

- statement: the fraction of the statement's 23 fixed words heard in order (a word-level edit alignment of
  the transcript to the expected statement). At least STATEMENT_MIN: tiny.en mishears ~9% of the words of
  real speech, so up to 4 misheard words pass, while leaving out a clause or saying something else fails.
- name and company: what was heard in the slot (the transcript words aligned between the fixed words around
  it) against the expected text, as 1 - normalized Levenshtein distance over letters, or over espeak-ng
  phonemes, whichever is higher. ASR spells names as they sound ("Jon Smyth" for John Smith: letters 0.78,
  phonemes 1.0; "Kathryn" for Catherine), so the phoneme comparison forgives spelling; at least NAME_MIN
  means at most about one phoneme or letter in four differs. A different name ("Mary Jones", similarity
  ~0.2) fails. Names one sound apart ("Joan" for "John") pass: this check proves the statement was read for
  this name, and speaker verification (speaker_check.py) proves who read it. Trailing legal-form words
  ("Inc.", "Ltd", "GmbH") are left out of the company comparison.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from adapt_server.errors import InvalidArgument

STATEMENT_TEMPLATE = ("I {name} am aware that recordings of my voice will be used by {company} to create and use a "
                      "synthetic version of my voice.")
STATEMENT_MIN = 0.8  # fraction of the fixed words that must be heard
NAME_MIN = 0.75  # similarity of the heard name to the talent's name
COMPANY_MIN = 0.75  # similarity of the heard company to the expected company
MAX_FIELD_CHARS = 100  # characters of a talent name or company
_NAME_SLOT, _COMPANY_SLOT = "\x00name", "\x00company"
_STRESS = re.compile("[ˈˌː ]")
# Legal-form words left out of company comparisons ("Contoso Ltd." said as "Contoso", or heard with "Inc.").
LEGAL_FORMS = frozenset({"inc", "incorporated", "ltd", "limited", "llc", "llp", "corp", "corporation", "co",
                         "company", "plc", "gmbh", "ag", "sa", "sas", "bv", "nv", "oy", "ab", "pty", "srl", "spa"})


@dataclass(frozen=True)
class StatementCheck:
    """The verdict on one transcript of the consent statement."""

    matched: bool  # every part at or above its threshold
    score: float  # the lowest of the three scores, 0..1
    statement_score: float  # fraction of the fixed words heard, 0..1
    name_score: float  # similarity of heard_name to the talent's name, 0..1
    company_score: float  # similarity of heard_company to the company, 0..1
    heard_name: str  # transcript words in the name's place (normalized)
    heard_company: str  # transcript words in the company's place (normalized)
    transcript: str  # the transcript that was checked
    reason: str  # what matched, or which parts failed with their scores and thresholds


def expected_statement(talent_name: str, company: str) -> str:
    """The statement the talent must read."""
    return STATEMENT_TEMPLATE.format(name=check_field("talent name", talent_name, min_words=2),
                                     company=check_field("company", company, min_words=1))


def check_field(what: str, value: object, min_words: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"the {what} is empty: give the {what} as the talent says it in the statement")
    value = " ".join(value.split())
    if len(value) > MAX_FIELD_CHARS:
        raise InvalidArgument(f"the {what} has {len(value)} characters, more than {MAX_FIELD_CHARS}")
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise InvalidArgument(f"the {what} contains control characters: remove them")
    if len(normalize_words(value)) < min_words:
        raise InvalidArgument(f"the {what} {value!r} needs at least {min_words} word(s)"
                              + (": give the talent's first and last name" if min_words == 2 else ""))
    return value


def normalize_words(text: str) -> list[str]:
    """Lower-case words of `text` without accents or punctuation ("Smith-Jones, Inc." -> smith jones inc)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", " ", letters.replace("'", "")).split()


def similarity(heard: str, expected: str) -> float:
    """max(letter similarity, phoneme similarity) of two short texts, each 1 - normalized Levenshtein."""
    heard_letters, expected_letters = "".join(normalize_words(heard)), "".join(normalize_words(expected))
    if not heard_letters:
        return 0.0
    letters = Levenshtein.normalized_similarity(heard_letters, expected_letters)
    return max(letters, Levenshtein.normalized_similarity(_phonemes(heard), _phonemes(expected)))


def _phonemes(text: str) -> str:
    from adapt_server.tts.phonemes import phonemize

    return _STRESS.sub("", phonemize(" ".join(normalize_words(text)) or "-"))


def check_statement(transcript: str, talent_name: str, company: str) -> StatementCheck:
    """Checks `transcript` (what ASR heard in the statement recording) against the statement for
    `talent_name` and `company`. InvalidArgument for a bad name or company; a failed check is a verdict
    (matched False), not an error."""
    talent_name = check_field("talent name", talent_name, min_words=2)
    company = check_field("company", company, min_words=1)
    template = STATEMENT_TEMPLATE.format(name=_NAME_SLOT, company=_COMPANY_SLOT)
    expected: list[str] = []
    slots: dict[str, tuple[int, int]] = {}
    for token in template.split():
        token = token.rstrip(".")
        if token in (_NAME_SLOT, _COMPANY_SLOT):
            words = normalize_words(talent_name if token == _NAME_SLOT else company)
            slots[token] = (len(expected), len(expected) + len(words))
            expected += words
        else:
            expected += normalize_words(token)
    heard = normalize_words(transcript or "")
    fixed = [index for index in range(len(expected))
             if not any(start <= index < end for start, end in slots.values())]
    opcodes = Levenshtein.opcodes(expected, heard)
    equal = {index for op in opcodes if op.tag == "equal" for index in range(op.src_start, op.src_end)}
    statement_score = sum(index in equal for index in fixed) / len(fixed)
    heard_name = " ".join(heard[slice(*_slot_span(opcodes, *slots[_NAME_SLOT]))])
    heard_company = " ".join(heard[slice(*_slot_span(opcodes, *slots[_COMPANY_SLOT]))])
    name_score = similarity(heard_name, talent_name)
    company_score = similarity(_without_legal_form(heard_company), _without_legal_form(company))
    failures = []
    if statement_score < STATEMENT_MIN:
        failures.append(f"the statement's wording: {statement_score:.2f} of its fixed words heard, below "
                        f"{STATEMENT_MIN} (read the statement as written)")
    if name_score < NAME_MIN:
        failures.append(f"the talent name: heard {heard_name or 'nothing'!r} for {talent_name!r}, similarity "
                        f"{name_score:.2f} below {NAME_MIN}")
    if company_score < COMPANY_MIN:
        failures.append(f"the company: heard {heard_company or 'nothing'!r} for {company!r}, similarity "
                        f"{company_score:.2f} below {COMPANY_MIN}")
    score = min(statement_score, name_score, company_score)
    reason = ("statement, name and company heard (scores "
              f"{statement_score:.2f}, {name_score:.2f}, {company_score:.2f})") if not failures else \
        "consent statement not matched: " + "; ".join(failures)
    return StatementCheck(matched=not failures, score=round(score, 4), statement_score=round(statement_score, 4),
                          name_score=round(name_score, 4), company_score=round(company_score, 4),
                          heard_name=heard_name, heard_company=heard_company, transcript=transcript or "",
                          reason=reason)


def _without_legal_form(company: str) -> str:
    words = normalize_words(company)
    while len(words) > 1 and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def _slot_span(opcodes, start: int, end: int) -> tuple[int, int]:
    """The transcript word range aligned to expected words [start, end), with words inserted at its edges."""
    starts, ends = [], []
    for op in opcodes:
        for boundary, out in ((start, starts), (end, ends)):
            if op.src_start <= boundary <= op.src_end:
                if op.tag in ("equal", "replace") and op.src_end > op.src_start:
                    ratio = (op.dest_end - op.dest_start) / (op.src_end - op.src_start)
                    out.append(op.dest_start + round((boundary - op.src_start) * ratio))
                else:  # insert (src empty) or delete (dest empty): both edges of its transcript range
                    out += [op.dest_start, op.dest_end]
    first, last = min(starts), max(ends)
    return first, max(first, last)
