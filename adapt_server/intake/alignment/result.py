"""What alignment returns: words with times, utterances cut at pauses, and a match score (frozen)."""
from __future__ import annotations

from dataclasses import dataclass

from adapt_server.spans import Word

MIN_ALIGNMENT_SCORE = 0.4  # below this the transcript is judged not to match its audio (see `score`)


@dataclass(frozen=True)
class AlignedUtterance:
    """A stretch of one recording, `start`..`end` seconds, with its words (times on the recording's timeline).

    Cut at pauses between words; never longer than the `max_utterance_s` it was made with.
    """

    start: float  # seconds: first word's start
    end: float  # seconds: last word's end
    text: str  # the words joined by single spaces, as written in the transcript (or as recognized)
    words: tuple[Word, ...]  # in time order
    confidence: float  # 0..1: mean word confidence
    speaker: str | None = None  # speaker label when the utterance was cut along speaker turns
    pseudo_labelled: bool = False  # True: the text was recognized (no human transcript)

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class AlignmentResult:
    """Alignment of one recording.

    score: 0..1, how well the text matches the audio. For a given transcript: the mean of (a) 1 - word error
    rate of an independent recognition pass against the transcript (Whisper English normalizer both sides,
    clipped to [0, 1]) and (b) the mean probability the model gives the transcript's words when forced to
    read them from the audio. Measured (tiny.en, bench/alignment_bench.py --calibrate 3): 0.54-0.66 for the
    correct transcripts of generated telephone calls, 0.14-0.21 for the transcript of another call. For pseudo-labels: the mean confidence of all recognized
    words. Below MIN_ALIGNMENT_SCORE, `matches_audio` is False: flag the recording, do not train on it
    silently.
    """

    words: tuple[Word, ...]  # every aligned word, in time order (pseudo-labels: those of kept utterances)
    utterances: tuple[AlignedUtterance, ...]  # in time order
    score: float  # 0..1, see above
    pseudo_labelled: bool = False  # True: from `pseudo_label` (recognized text)
    dropped_utterances: int = 0  # pseudo-labels: utterances dropped for confidence below min_confidence
    recognized_text: str = ""  # the recognition pass's text (diagnostics for a low score)

    @property
    def matches_audio(self) -> bool:
        """False when score < MIN_ALIGNMENT_SCORE: the transcript probably belongs to other audio."""
        return self.score >= MIN_ALIGNMENT_SCORE
