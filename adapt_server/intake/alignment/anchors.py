"""Rough times for the words of a transcript, from a recognition pass of the same audio (pure).

Transcript words equal to a recognized word (after basic normalization) in the edit-distance alignment of
the two word sequences take that word's times ("anchors"); the words between anchors share the time
between them in proportion to their length in characters.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from adapt_server.spans import Word

SECONDS_PER_CHARACTER = 0.065  # seconds: typical English speaking rate (~ 15 characters/s) for words
# outside any anchor (before the first or after the last)


@dataclass(frozen=True)
class RoughWord:
    """A transcript word with an estimated time."""

    start: float  # seconds
    end: float  # seconds
    anchored: bool  # True: matched a recognized word; False: interpolated


def word_key(text: str) -> str:
    """Lowercase, without punctuation or symbols: the form in which transcript and recognized words match."""
    kept = (char for char in unicodedata.normalize("NFKC", text).lower()
            if not unicodedata.category(char).startswith(("P", "S")))
    return "".join(kept).strip()


def rough_times(transcript_words: Sequence[str], recognized: Sequence[Word], duration_s: float,
                speech: Sequence[tuple[float, float]] = ()) -> list[RoughWord]:
    """One RoughWord per transcript word, in order, inside [0, duration_s].

    recognized: words of the recognition pass in time order. speech: detected speech regions (seconds), used
    to spread the words when nothing was recognized (else the whole duration is used).
    """
    count = len(transcript_words)
    if count == 0:
        return []
    source = [word_key(word) for word in transcript_words]
    target = [word_key(word.text) for word in recognized]
    times: list[tuple[float, float] | None] = [None] * count
    for block in Levenshtein.opcodes(source, target):
        if block.tag == "equal":
            for offset in range(block.src_end - block.src_start):
                word = recognized[block.dest_start + offset]
                times[block.src_start + offset] = (word.start, word.end)
    if not any(times):
        return _spread(transcript_words, duration_s, speech)
    lengths = [max(1, len(word)) for word in transcript_words]
    result: list[RoughWord | None] = [RoughWord(*time, True) if time else None for time in times]
    index = 0
    while index < count:
        if result[index] is not None:
            index += 1
            continue
        stop = index
        while stop < count and result[stop] is None:
            stop += 1
        run = range(index, stop)
        run_length = sum(lengths[i] for i in run)
        if index == 0:  # before the first anchor: at the usual rate, ending where the anchor starts
            end = result[stop].start
            begin = max(0.0, end - run_length * SECONDS_PER_CHARACTER)
        elif stop == count:  # after the last anchor
            begin = result[index - 1].end
            end = min(duration_s, begin + run_length * SECONDS_PER_CHARACTER)
        else:
            begin, end = result[index - 1].end, result[stop].start
        _fill(result, run, lengths, begin, max(begin, end))
        index = stop
    return result  # type: ignore[return-value]


def _fill(result: list, run: range, lengths: list[int], begin: float, end: float) -> None:
    total = sum(lengths[i] for i in run)
    position = begin
    for i in run:
        length = (end - begin) * lengths[i] / total
        result[i] = RoughWord(position, position + length, False)
        position += length


def _spread(transcript_words: Sequence[str], duration_s: float,
            speech: Sequence[tuple[float, float]]) -> list[RoughWord]:
    """No anchor at all: words spread evenly over the speech (or the whole recording)."""
    regions = [(start, end) for start, end in speech if end > start] or [(0.0, duration_s)]
    total = sum(end - start for start, end in regions)
    lengths = [max(1, len(word)) for word in transcript_words]
    all_chars = sum(lengths)
    result = []
    consumed = 0.0
    for length in lengths:
        begin_at, end_at = consumed, consumed + total * length / all_chars
        result.append(RoughWord(_speech_time(regions, begin_at), _speech_time(regions, end_at), False))
        consumed = end_at
    return result


def _speech_time(regions: list[tuple[float, float]], offset: float) -> float:
    """The recording time `offset` seconds into the concatenated speech regions."""
    for start, end in regions:
        if offset <= end - start:
            return start + offset
        offset -= end - start
    return regions[-1][1]
