"""Finding entities said out loud that Presidio's recognizers miss (pure: text in, character spans out).

Transcripts write numbers the way they are spoken: "six five two zero, seven nine eight four",
"March fifteenth, nineteen seventy one", "victor hayes eight eight at postbox dot net",
"thirteen thirty eight Birch Avenue". Each finder returns `Found(start, end, entity_type)` character spans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
               "six": "6", "seven": "7", "eight": "8", "nine": "9"}
REPEATS = {"double": 2, "triple": 3}
MIN_DIGITS = 4  # a shorter run ("one two three") is not taken for an identifier
CONTEXT_TOKENS = 14  # words before a digit run or date searched for what it is
SENTENCE_END = (".", "?", "!")

# context words -> entity type of a digit run; the keyword nearest to the run wins
DIGIT_CONTEXT: tuple[tuple[str, str], ...] = (
    (r"medical record|record number|\bmrn\b|\bchart\b|patient (?:id|number)", "MEDICAL_RECORD_NUMBER"),
    (r"insurance|policy|member (?:id|number)|health plan|plan number|group number|beneficiary",
     "HEALTH_PLAN_NUMBER"),
    (r"social security|\bssn\b|\bsocial\b", "US_SSN"),
    (r"account|\bacct\b|customer (?:id|number)|reference number|card number|\bcard\b", "ACCOUNT_NUMBER"),
    (r"phone|\bcall\b|\bcell\b|mobile|reach|\bfax\b|\btext\b|callback|number to", "PHONE_NUMBER"),
)
BIRTH_CONTEXT = re.compile(r"\bborn\b|birth|birthday|\bdob\b|\bd\.o\.b", re.IGNORECASE)

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
          "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_ORDINAL_ONES = "first|second|third|fourth|fifth|sixth|seventh|eighth|ninth"
ORDINAL = (rf"(?:twenty[\s-]+(?:{_ORDINAL_ONES})|thirty[\s-]+first|{_ORDINAL_ONES}|tenth|eleventh|twelfth|"
           r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth|"
           r"[0-3]?\d(?:st|nd|rd|th)?)")
NUMBER_WORD = (r"(?:and|oh|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
               r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
               r"ninety|hundred|thousand)")
YEAR = (rf"(?:(?:eighteen|nineteen|twenty|two\s+thousand)(?:[\s-]+{NUMBER_WORD}){{0,3}}(?<!\band)|"
        r"(?:1[89]|20)\d\d)")
_DATE_PART = re.compile(rf"\b(?:{MONTHS})\b|\b(?:1[89]|20)\d\d\b", re.IGNORECASE)  # a month or a year
SPOKEN_DATE = re.compile(
    rf"\b(?:(?:{MONTHS})\.?\s+(?:the\s+)?{ORDINAL}|the\s+{ORDINAL}\s+of\s+(?:{MONTHS}))"
    rf"(?:,?\s+(?:in\s+)?{YEAR})?\b", re.IGNORECASE)
EMAIL_DOMAINS = r"com|net|org|edu|gov|io|co|us|uk|ca|info|biz|me|mail"
SPOKEN_EMAIL = re.compile(
    rf"\b([a-z0-9]+(?:(?:\s+(?:dot|underscore|dash|hyphen))?\s+[a-z0-9]+){{0,7}})\s+at\s+"
    rf"([a-z0-9]+(?:\s+(?:dot|dash)\s+[a-z0-9]+)*\s+dot\s+(?:{EMAIL_DOMAINS}))\b", re.IGNORECASE)
EMAIL_LEAD_WORDS = frozenset("my email e-mail address is it's its it is sure yes yeah okay ok the to me send "
                             "reach use write that's thats and or you can".split())
STREET_TYPES = (r"Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Court|Ct|Boulevard|Blvd|Way|Place|Pl|Terrace|"
                r"Circle|Parkway|Pkwy|Highway|Hwy|Trail|Square|Crescent|Row|Close")
STREET_ADDRESS = re.compile(
    rf"\b(?:\d+[A-Za-z]?|(?i:{NUMBER_WORD})(?:[\s-]+(?i:{NUMBER_WORD})){{0,4}})\s+"
    rf"(?:(?:North|South|East|West|N|S|E|W)\.?\s+)?(?:[A-Z][a-zA-Z'-]+\s+){{1,3}}(?:{STREET_TYPES})\b\.?"
    rf"(?:,?\s+(?i:apartment|apt|unit|suite|flat)\s+\w+)?"
    rf"(?:,\s+[A-Z][a-zA-Z'-]+(?:\s+[A-Z][a-zA-Z'-]+)?)?")
NAME_INTRO = re.compile(
    r"\b(?:(?i:my\s+name\s+is|name's|this\s+is|speaking\s+with|i\s+am|i'm)|Mr\.?|Mrs\.?|Ms\.?|Dr\.?)\s+"
    r"([A-Z][a-z]+(?:[\s-]+[A-Z][a-z]+)?)\b")
NOT_NAMES = frozenset("I The A An It This That Yes No Okay Sure Hi Hello Thanks Thank Sorry Just Calling Here "
                      "Happy Great Good Fine Well Oh So And But".split()) | frozenset(
    month.capitalize() for month in MONTHS.split("|"))


@dataclass(frozen=True)
class Found:
    """An entity at text[start:end]."""

    start: int  # character offset
    end: int  # character offset, exclusive
    entity_type: str


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    core: str  # lowercase, without surrounding punctuation
    trailing: str  # punctuation after the core


_TOKEN = re.compile(r"\S+")
_CORE = re.compile(r"^[\"'(\[]*(.*?)([\"').,;:!?\]]*)$")


def tokens(text: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(text):
        core_match = _CORE.match(match.group())
        core, trailing = core_match.group(1), core_match.group(2)
        lead = len(match.group()) - len(core) - len(trailing)
        out.append(_Token(match.start() + lead, match.start() + lead + len(core), core.lower(), trailing))
    return out


def _digits_of(token: _Token, previous_digit: bool) -> str | None:
    """The digits a token says ("seven" -> "7", "555-2134" -> "5552134", "oh" after a digit -> "0")."""
    core = token.core
    if core in ("oh", "o"):
        return "0" if previous_digit else None
    if core in DIGIT_WORDS:
        return DIGIT_WORDS[core]
    plain = core.replace("-", "").replace("(", "").replace(")", "")
    if plain.isdigit():
        return plain
    return None


def digit_runs(text: str) -> list[Found]:
    """Runs of >= MIN_DIGITS digits said one by one or written ("four five six seven", "555-213-4409"), across
    commas but not sentence ends, typed by the nearest context keyword before them (see DIGIT_CONTEXT); with
    none, ten digits are a PHONE_NUMBER and anything else a DIGIT_STRING."""
    found = []
    toks = tokens(text)
    index = 0
    while index < len(toks):
        digits, stop, repeat = "", index, 1
        while stop < len(toks):
            token = toks[stop]
            if token.core in REPEATS and stop + 1 < len(toks):
                repeat = REPEATS[token.core]
                stop += 1
                continue
            said = _digits_of(token, bool(digits))
            if said is None:
                break
            digits += said * (repeat if len(said) == 1 else 1)
            repeat = 1
            stop += 1
            if token.trailing and token.trailing[0] in SENTENCE_END:
                break
        if stop > index and len(digits) >= MIN_DIGITS and _digits_of(toks[stop - 1], True) is not None:
            found.append(Found(toks[index].start, toks[stop - 1].end, _digit_type(text, toks, index, len(digits))))
            index = stop
        else:
            index += 1
    return found


def _digit_type(text: str, toks: list[_Token], first: int, n_digits: int) -> str:
    context = text[toks[max(0, first - CONTEXT_TOKENS)].start:toks[first].start].lower()
    best, best_position = None, -1
    for pattern, entity_type in DIGIT_CONTEXT:
        for match in re.finditer(pattern, context):
            if match.end() > best_position:
                best, best_position = entity_type, match.end()
    if best is not None:
        return best
    return "PHONE_NUMBER" if n_digits in (10, 11) else "DIGIT_STRING"


def spoken_dates(text: str) -> list[Found]:
    """Dates with a month ("March fifteenth, nineteen seventy one", "the third of May"): DATE_OF_BIRTH when
    a birth word (born, birth, birthday, DOB) comes in the CONTEXT_TOKENS words before, else DATE."""
    return [Found(match.start(), match.end(), date_type(text, match.start())) for match in SPOKEN_DATE.finditer(text)]


def date_type(text: str, start: int) -> str:
    """DATE_OF_BIRTH when a birth word precedes `start` closely (after any earlier date), else DATE."""
    before = text[:start]
    earlier = list(_DATE_PART.finditer(before))
    if earlier:
        before = before[earlier[-1].end():]
    before = before.split()[-CONTEXT_TOKENS:]
    return "DATE_OF_BIRTH" if BIRTH_CONTEXT.search(" ".join(before)) else "DATE"


def spoken_emails(text: str) -> list[Found]:
    """E-mail addresses said as words: "<words> at <word> dot <tld>" (leading filler like "my email is" is
    not part of the address)."""
    found = []
    for match in SPOKEN_EMAIL.finditer(text):
        start = match.start(1)
        local = match.group(1)
        for word in local.split():
            if word.lower() not in EMAIL_LEAD_WORDS:
                break
            start = text.index(word, start) + len(word)
        while start < match.end() and text[start].isspace():
            start += 1
        if text[start:match.start(2)].strip().lower() not in ("at", ""):
            found.append(Found(start, match.end(), "EMAIL_ADDRESS"))
    return found


def street_addresses(text: str) -> list[Found]:
    """A house number (digits or words), a capitalized street name and a street type, with an optional unit
    and ", Town"."""
    return [Found(match.start(), match.end(), "ADDRESS") for match in STREET_ADDRESS.finditer(text)]


def introduced_names(text: str) -> list[Found]:
    """Capitalized names right after "my name is", "this is", "speaking with", "Mr."..."""
    found = []
    for match in NAME_INTRO.finditer(text):
        name = match.group(1)
        if name.split()[0] in NOT_NAMES:
            continue
        found.append(Found(match.start(1), match.end(1), "PERSON"))
    return found
