"""Redacting one recording's words: entity tags in the text and timed spans for muting the audio, from one
alignment (the words' times), so what is tagged and what is muted are the same words.

The text (the words joined by spaces, or a given text holding the words in order) goes through the shared
presidio analyzer; its findings are filtered to the requested entity types, presidio's DATE_TIME is kept
only for real dates (a month, weekday or digits: "today" is not redacted) and typed DATE or DATE_OF_BIRTH,
every other mention of a detected person's name is added, overlapping findings are merged (the most
confident type names the merged span), and each finding grows to whole words.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.intake.redaction.analyzer import PRESIDIO_ENTITIES, shared_analyzer
from adapt_server.intake.redaction.audio import DEFAULT_PAD_S, mute
from adapt_server.intake.redaction.groups import DEFAULT_GROUPS, resolve_entities
from adapt_server.intake.redaction.spoken import MONTHS, NOT_NAMES, date_type, tokens
from adapt_server.spans import RedactionSpan, Word

SCORE_THRESHOLD = 0.35  # presidio findings below this are ignored (its context-free bank numbers score 0.05)
MAX_PAD_S = 1.0  # seconds: the most audio muted beyond a span on each side
NAME_SCORE = 0.8  # score of a further mention of a name already found
_REAL_DATE = re.compile(rf"\d|\b(?:{MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                        re.IGNORECASE)


@dataclass(frozen=True)
class _Finding:
    start: int  # character offsets in the text
    end: int
    entity_type: str
    score: float


@dataclass(frozen=True)
class RedactionResult:
    """Redaction of one recording. Holds no redacted value: only tags, types and times."""

    text: str  # the text with each entity replaced by its tag, e.g. "my name is [PERSON]."
    spans: tuple[RedactionSpan, ...]  # one per entity found over timed words, in time order (the audit record)
    word_types: tuple[str | None, ...]  # per input word: the entity type it was redacted as, None when kept
    tagged_words: tuple[str, ...]  # per input word: itself when kept; "[TYPE]" (plus the entity's closing
    # punctuation) for the first word of an entity; "" for its other words

    @property
    def counts(self) -> dict[str, int]:
        """Entities redacted per type."""
        return dict(Counter(span.entity_type for span in self.spans))

    def text_of(self, first: int, stop: int) -> str:
        """The tagged text of input words[first:stop] (an utterance), with a tag where it starts mid-entity."""
        pieces = []
        for index in range(first, stop):
            piece = self.tagged_words[index]
            if not piece and index == first and self.word_types[index] is not None:
                piece = f"[{self.word_types[index]}]"
            if piece:
                pieces.append(piece)
        return " ".join(pieces)


class Redactor:
    """Finds entities of the requested groups/types in words with times (presidio + Adapt's recognizers).

    entities: group names ("pii", "phi", see groups.py) and/or entity types; unknown ones raise InvalidArgument
    naming the allowed groups. pad_s: seconds muted before and after each span (0..1). allow: words or
    phrases never redacted (case-insensitive), e.g. the company's and its products' names, which spaCy
    sometimes takes for people and which a fine-tune needs to hear.
    The presidio analyzer loads on the first `redact` (seconds) and is shared by every Redactor of the process.
    """

    def __init__(self, entities: Iterable[str] = DEFAULT_GROUPS, pad_s: float = DEFAULT_PAD_S,
                 allow: Iterable[str] = ()):
        self.entity_types = resolve_entities(entities)
        self.allow = frozenset(word.strip().lower() for word in allow if word.strip())
        if isinstance(pad_s, bool) or not isinstance(pad_s, (int, float)) or not 0.0 <= pad_s <= MAX_PAD_S:
            raise InvalidArgument(f"redact: pad_s must be between 0 and {MAX_PAD_S} seconds; got {pad_s!r}")
        self.pad_s = float(pad_s)

    def redact(self, words: Sequence[Word], text: str | None = None) -> RedactionResult:
        """words: one recording's words in time order; text: the same words as written (their order kept,
        case and anything between them free), default the words joined by spaces. With no words, `text` alone is
        redacted (no spans)."""
        words = list(words)
        if text is None:
            text = " ".join(word.text.strip() for word in words)
        positions = _word_positions(words, text)
        findings = self._findings(text)
        findings = _to_whole_words(findings, text)
        word_types: list[str | None] = [None] * len(words)
        word_entity: list[int | None] = [None] * len(words)
        spans = []
        for number, finding in enumerate(findings):
            covered = [i for i, (start, end) in enumerate(positions) if start < finding.end and end > finding.start]
            for i in covered:
                word_types[i], word_entity[i] = finding.entity_type, number
            if covered:
                spans.append(_timed_span(words, covered, finding.entity_type))
        tagged_words = []
        for i, word in enumerate(words):
            if word_entity[i] is None:
                tagged_words.append(word.text.strip())
            elif i > 0 and word_entity[i - 1] == word_entity[i]:
                tagged_words.append("")
            else:
                last = max(j for j in range(i, len(words)) if word_entity[j] == word_entity[i])
                closing = re.search(r"[.,;:!?]*$", words[last].text.strip()).group()
                tagged_words.append(f"[{word_types[i]}]{closing}")
        return RedactionResult(text=_tagged_text(text, findings), spans=tuple(sorted(spans, key=lambda s: s.start)),
                               word_types=tuple(word_types), tagged_words=tuple(tagged_words))

    def mute(self, samples: np.ndarray, sample_rate: int, spans: Sequence[RedactionSpan]) -> np.ndarray:
        """`audio.mute` with this redactor's pad."""
        return mute(samples, sample_rate, spans, self.pad_s)

    def _findings(self, text: str) -> list[_Finding]:
        if not text.strip():
            return []
        analyzer = shared_analyzer()
        wanted = [entity for entity in PRESIDIO_ENTITIES if entity in self.entity_types or entity == "DATE_TIME"]
        wanted += sorted(self.entity_types - set(PRESIDIO_ENTITIES))
        findings = []
        for result in analyzer.analyze(text, language="en", entities=wanted, score_threshold=SCORE_THRESHOLD):
            entity_type = result.entity_type
            if entity_type == "DATE_TIME":
                if not _REAL_DATE.search(text[result.start:result.end]):
                    continue
                entity_type = date_type(text, result.start)
            if entity_type in self.entity_types and text[result.start:result.end].strip().lower() not in self.allow:
                findings.append(_Finding(result.start, result.end, entity_type, float(result.score)))
        if "PERSON" in self.entity_types:
            findings += _other_mentions(text, [found for found in findings if found.entity_type == "PERSON"],
                                        self.allow)
        return _merged(findings)


def utterance_has_entities(spans: Sequence[RedactionSpan], start: float, end: float,
                           entities: Iterable[str]) -> bool:
    """True when a span of one of `entities` (groups or types, as for Redactor) overlaps start..end seconds:
    the test of the redact step's option that drops such utterances from training."""
    types = resolve_entities(entities)
    return any(span.entity_type in types and span.start < end and span.end > start
               or span.entity_type in types and start <= span.start == span.end <= end for span in spans)


def _timed_span(words: list[Word], covered: list[int], entity_type: str) -> RedactionSpan:
    """From the end of the word before the entity to the start of the word after it: the pauses around an
    entity are muted with it, because the edges of words next to a pause are where aligned times are least
    certain (Whisper's alignment often lets the pause delay the next word)."""
    first, last = min(covered), max(covered)
    start = min(words[first].start, words[first - 1].end) if first > 0 else words[first].start
    end = max(words[last].end, words[last + 1].start) if last + 1 < len(words) else words[last].end
    return RedactionSpan(start, max(start, end), entity_type)


def _word_positions(words: list[Word], text: str) -> list[tuple[int, int]]:
    positions, cursor, folded = [], 0, text.lower()
    for index, word in enumerate(words):
        token = word.text.strip().lower()
        found = folded.find(token, cursor)
        if not token or found < 0:
            raise InvalidArgument(f"redact: word {index} ({len(token)} characters) is not in the text after "
                                  f"character {cursor}; pass the text the words were aligned from, or none")
        positions.append((found, found + len(token)))
        cursor = found + len(token)
    return positions


def _other_mentions(text: str, people: list[_Finding], allow: frozenset[str]) -> list[_Finding]:
    """Every whole-word occurrence of a name part already found as a PERSON (capitalized, not a common
    sentence opener)."""
    names = {part for found in people for part in re.findall(r"[A-Z][a-zA-Z'-]+", text[found.start:found.end])
             if part not in NOT_NAMES and len(part) > 1 and part.lower() not in allow}
    more = []
    for name in names:
        for match in re.finditer(rf"\b{re.escape(name)}\b", text):
            more.append(_Finding(match.start(), match.end(), "PERSON", NAME_SCORE))
    return more


def _merged(findings: list[_Finding]) -> list[_Finding]:
    """Overlapping findings joined; the merged span takes the type of the most confident (then longest)."""
    merged: list[list[_Finding]] = []
    for found in sorted(findings, key=lambda f: (f.start, -f.end)):
        if merged and found.start < max(f.end for f in merged[-1]):
            merged[-1].append(found)
        else:
            merged.append([found])
    out = []
    for group in merged:
        best = max(group, key=lambda f: (f.score, f.end - f.start))
        out.append(_Finding(min(f.start for f in group), max(f.end for f in group), best.entity_type, best.score))
    return out


def _to_whole_words(findings: list[_Finding], text: str) -> list[_Finding]:
    """Each finding grown to the whole words it touches (their letters and digits, not their punctuation)."""
    words = tokens(text)
    grown = []
    for found in findings:
        touched = [token for token in words if token.start < found.end and token.end > found.start]
        start = min([found.start] + [token.start for token in touched])
        end = max([found.end] + [token.end for token in touched])
        grown.append(_Finding(start, end, found.entity_type, found.score))
    return _merged(grown)


def _tagged_text(text: str, findings: list[_Finding]) -> str:
    out, cursor = [], 0
    for found in sorted(findings, key=lambda f: f.start):
        out += [text[cursor:found.start], f"[{found.entity_type}]"]
        cursor = found.end
    out.append(text[cursor:])
    return "".join(out)
