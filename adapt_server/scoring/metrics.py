"""Corpus metrics over scored utterances: WER, CER, real-time factor, slices, most-missed words, hallucinations.

Corpus rates are ratios of sums, never means of per-utterance rates: WER = (S + D + I) / N summed over all
utterances, CER = character edits / reference characters, RTF = processing seconds / audio seconds. A long
utterance weighs by its words (or seconds), and an utterance with an empty reference still counts its
insertions. A rate whose denominator is 0 is nan.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.alignment import DELETE, SUBSTITUTE, UtteranceScore

COUNT_COLUMNS = ("utterances", "ref_words", "substitutions", "deletions", "insertions", "ref_chars",
                 "char_edits", "audio_s", "processing_s")  # the columns of `count_matrix`
SLICE_FIELDS = {"speaker": "speaker", "recording": "recording_id", "source": "source"}  # slice name -> field
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class ErrorCounts:
    """Summed counts of a set of utterances (a corpus or one slice of it)."""

    utterances: int
    ref_words: int  # N
    substitutions: int  # S
    deletions: int  # D
    insertions: int  # I
    ref_chars: int  # reference characters (normalized, spaces included)
    char_edits: int  # character S + D + I
    audio_s: float  # seconds of audio
    processing_s: float  # engine wall-clock seconds

    @property
    def word_errors(self) -> int:
        return self.substitutions + self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """(S + D + I) / N; nan when N is 0."""
        return _ratio(self.word_errors, self.ref_words)

    @property
    def cer(self) -> float:
        """Character edits / reference characters; nan when there are none."""
        return _ratio(self.char_edits, self.ref_chars)

    @property
    def rtf(self) -> float:
        """Real-time factor: processing seconds / audio seconds (below 1: faster than real time)."""
        return _ratio(self.processing_s, self.audio_s)


@dataclass(frozen=True)
class WrongWord:
    """A reference word the model got wrong, with how often and into what."""

    word: str  # the normalized reference word
    errors: int  # substitutions + deletions of it
    substitutions: int
    deletions: int
    top_hypothesis: str | None  # the word most often written in its place (None: only ever deleted)
    top_hypothesis_count: int  # how often (0 when None)


@dataclass(frozen=True)
class HallucinationSummary:
    """Hallucination counts of a set of utterances (see `UtteranceScore.nonspeech_exposure`, `.hallucinated`)."""

    utterances: int
    hallucinated_utterances: int  # utterances with a word on non-speech or a repetition loop
    repetition_loops: int  # utterances whose hypothesis loops
    nonspeech_words: int  # hypothesis words emitted on non-speech
    nonspeech_s: float  # seconds of non-speech they were emitted over

    @property
    def rate(self) -> float:
        """Fraction of utterances that hallucinate (0..1): the hallucination rate gates compare against."""
        return _ratio(self.hallucinated_utterances, self.utterances)

    @property
    def nonspeech_words_per_hour(self) -> float:
        """Words emitted on non-speech per hour of non-speech; nan when no non-speech was measured."""
        return _ratio(self.nonspeech_words, self.nonspeech_s / SECONDS_PER_HOUR)


def count_matrix(scores: Sequence[UtteranceScore]) -> np.ndarray:
    """(n_utterances, len(COUNT_COLUMNS)) float64: one row of counts per utterance, in `COUNT_COLUMNS` order."""
    return np.array([(1, s.ref_words, s.substitutions, s.deletions, s.insertions, s.ref_chars, s.char_edits,
                      s.audio_s, s.processing_s) for s in scores], dtype=np.float64).reshape(-1, len(COUNT_COLUMNS))


def total_counts(scores: Sequence[UtteranceScore]) -> ErrorCounts:
    """The counts of all `scores` summed."""
    return _counts(count_matrix(scores).sum(axis=0))


def corpus_wer(scores: Sequence[UtteranceScore]) -> float:
    """Corpus WER: sum of S + D + I over sum of N."""
    return total_counts(scores).wer


def corpus_cer(scores: Sequence[UtteranceScore]) -> float:
    """Corpus CER: sum of character edits over sum of reference characters."""
    return total_counts(scores).cer


def realtime_factor(scores: Sequence[UtteranceScore]) -> float:
    """Total processing seconds / total audio seconds."""
    return total_counts(scores).rtf


def slice_counts(scores: Sequence[UtteranceScore], by: str) -> dict[str, ErrorCounts]:
    """Counts per slice key, sorted by key: `by` is "speaker", "recording" or "source" (an unknown value is
    the key ""). The slices partition the utterances, so their counts sum to `total_counts(scores)`."""
    if by not in SLICE_FIELDS:
        raise InvalidArgument(f"unknown slice {by!r}; choose one of {', '.join(SLICE_FIELDS)}")
    keys = np.array([getattr(score, SLICE_FIELDS[by]) for score in scores], dtype=object).astype(str)
    if len(keys) == 0:
        return {}
    unique_keys, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros((len(unique_keys), len(COUNT_COLUMNS)))
    np.add.at(sums, inverse, count_matrix(scores))
    return {str(key): _counts(row) for key, row in zip(unique_keys, sums)}


def most_wrong_words(scores: Sequence[UtteranceScore], limit: int = 20) -> tuple[WrongWord, ...]:
    """The reference words most often substituted or deleted (most errors first, then alphabetical)."""
    substituted: Counter[str] = Counter()
    deleted: Counter[str] = Counter()
    replacements: dict[str, Counter[str]] = {}
    for score in scores:
        for pair in score.alignment:
            if pair.op == SUBSTITUTE:
                substituted[pair.ref] += 1
                replacements.setdefault(pair.ref, Counter())[pair.hyp] += 1
            elif pair.op == DELETE:
                deleted[pair.ref] += 1
    ranked = sorted(substituted.keys() | deleted.keys(), key=lambda word: (-(substituted[word] + deleted[word]), word))
    words = []
    for word in ranked[:limit]:
        top, count = _most_common(replacements.get(word, Counter()))
        words.append(WrongWord(word, substituted[word] + deleted[word], substituted[word], deleted[word], top, count))
    return tuple(words)


def summarize_hallucinations(scores: Sequence[UtteranceScore]) -> HallucinationSummary:
    """Hallucination counts summed over `scores`."""
    exposure = [score.nonspeech_exposure for score in scores]
    return HallucinationSummary(
        utterances=len(scores),
        hallucinated_utterances=sum(score.hallucinated for score in scores),
        repetition_loops=sum(score.repetition_loop for score in scores),
        nonspeech_words=sum(words for words, _ in exposure),
        nonspeech_s=float(sum(seconds for _, seconds in exposure)),
    )


def _most_common(counter: Counter[str]) -> tuple[str | None, int]:
    """The most frequent item (alphabetically first among ties) and its count; (None, 0) when empty."""
    if not counter:
        return None, 0
    word = min(counter, key=lambda item: (-counter[item], item))
    return word, counter[word]


def _counts(row: np.ndarray) -> ErrorCounts:
    integers = [int(round(value)) for value in row[:7]]
    return ErrorCounts(*integers, audio_s=float(row[7]), processing_s=float(row[8]))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan
