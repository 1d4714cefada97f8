"""Per-utterance scoring: reference vs hypothesis aligned word by word (and character by character for CER).

The alignment is jiwer's (`process_words`, `process_characters`: a minimum edit distance alignment with unit
costs, computed by RapidFuzz). Both texts are normalized first (see `text.py`). Each utterance gets its
counts of substitutions S, deletions D and insertions I against N reference words, the aligned word pairs
(op, reference word, hypothesis word), and the character edit count against its reference characters.
Characters are those of the normalized text, single spaces between words included (as jiwer's CER).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import jiwer

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.hallucination import is_repetition_loop
from adapt_server.scoring.text import Normalizer

EQUAL, SUBSTITUTE, DELETE, INSERT = "equal", "substitute", "delete", "insert"


@dataclass(frozen=True)
class AlignedWord:
    """One step of the word alignment."""

    op: str  # "equal", "substitute", "delete" (reference word missed) or "insert" (extra hypothesis word)
    ref: str | None  # the normalized reference word; None for an insertion
    hyp: str | None  # the normalized hypothesis word; None for a deletion


@dataclass(frozen=True)
class TranscribedUtterance:
    """What one candidate model produced for one utterance, with the utterance's reference and context."""

    utterance_id: str  # unique within the evaluated dataset split
    reference: str  # the reference transcript, as stored ("" when the utterance holds no speech)
    hypothesis: str  # the model's transcript, as produced
    recording_id: str = ""  # the recording the utterance comes from ("" when unknown)
    speaker: str = ""  # reference speaker label ("" when unknown)
    source: str = ""  # where the recording came from (a source URI or dataset source name; "" when unknown)
    audio_s: float = 0.0  # seconds of audio transcribed for this utterance
    processing_s: float = 0.0  # wall-clock seconds the engine spent on it (a batch's time shared by duration)
    nonspeech_s: float = 0.0  # seconds of this utterance's audio known not to hold speech (reference truth)
    nonspeech_words: int = 0  # hypothesis words emitted over those seconds (hallucination.words_on_non_speech)

    def __post_init__(self) -> None:
        if not self.utterance_id:
            raise InvalidArgument("TranscribedUtterance.utterance_id must be a non-empty string")
        for name in ("audio_s", "processing_s", "nonspeech_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InvalidArgument(f"utterance {self.utterance_id!r}: {name} must be finite seconds >= 0, got {value!r}")
        if self.nonspeech_words < 0:
            raise InvalidArgument(f"utterance {self.utterance_id!r}: nonspeech_words must be >= 0, got {self.nonspeech_words}")


@dataclass(frozen=True)
class UtteranceScore:
    """One utterance scored: identity, texts, error counts, alignment, timing and hallucination flags."""

    utterance_id: str
    recording_id: str
    speaker: str
    source: str
    reference: str  # as given
    hypothesis: str  # as given
    reference_normalized: str  # what was scored
    hypothesis_normalized: str
    ref_words: int  # N: words in the normalized reference
    substitutions: int  # S
    deletions: int  # D
    insertions: int  # I
    ref_chars: int  # characters of the normalized reference (spaces included)
    char_edits: int  # character substitutions + deletions + insertions
    alignment: tuple[AlignedWord, ...]  # in reference/hypothesis order
    audio_s: float = 0.0  # seconds of audio
    processing_s: float = 0.0  # engine wall-clock seconds
    nonspeech_s: float = 0.0  # seconds known not to hold speech (see `nonspeech_exposure`)
    nonspeech_words: int = 0  # hypothesis words over those seconds
    repetition_loop: bool = False  # the hypothesis repeats an n-gram or compresses too well (hallucination.py)

    @property
    def word_errors(self) -> int:
        """S + D + I."""
        return self.substitutions + self.deletions + self.insertions

    @property
    def hyp_words(self) -> int:
        """Words in the normalized hypothesis (= N - D + I)."""
        return self.ref_words - self.deletions + self.insertions

    @property
    def wer(self) -> float:
        """(S + D + I) / N; nan when the reference has no words."""
        return self.word_errors / self.ref_words if self.ref_words else math.nan

    @property
    def cer(self) -> float:
        """Character edits / reference characters; nan when the reference is empty."""
        return self.char_edits / self.ref_chars if self.ref_chars else math.nan

    @property
    def nonspeech_exposure(self) -> tuple[int, float]:
        """(hypothesis words emitted on non-speech, seconds of non-speech) for this utterance.

        An utterance whose normalized reference is empty is non-speech as a whole: every hypothesis word
        counts, over all of `audio_s` (this supersedes the `nonspeech_*` fields given for it). Otherwise the
        given `nonspeech_words` over `nonspeech_s`.
        """
        if self.ref_words == 0:
            return self.hyp_words, self.audio_s
        return self.nonspeech_words, self.nonspeech_s

    @property
    def hallucinated(self) -> bool:
        """True when the model emitted any word on non-speech or fell into a repetition loop."""
        return self.nonspeech_exposure[0] > 0 or self.repetition_loop


def score_utterances(utterances: Sequence[TranscribedUtterance], normalizer: Normalizer) -> tuple[UtteranceScore, ...]:
    """Align and count every utterance (one jiwer call for all words, one for all characters)."""
    if not utterances:
        return ()
    references = [normalizer(utterance.reference) for utterance in utterances]
    hypotheses = [normalizer(utterance.hypothesis) for utterance in utterances]
    words = jiwer.process_words(references, hypotheses)
    characters = jiwer.process_characters(references, hypotheses)
    scores = []
    for index, utterance in enumerate(utterances):
        ref_words, hyp_words = words.references[index], words.hypotheses[index]
        substitutions, deletions, insertions = _edit_counts(words.alignments[index])
        char_substitutions, char_deletions, char_insertions = _edit_counts(characters.alignments[index])
        scores.append(UtteranceScore(
            utterance_id=utterance.utterance_id, recording_id=utterance.recording_id,
            speaker=utterance.speaker, source=utterance.source,
            reference=utterance.reference, hypothesis=utterance.hypothesis,
            reference_normalized=references[index], hypothesis_normalized=hypotheses[index],
            ref_words=len(ref_words), substitutions=substitutions, deletions=deletions, insertions=insertions,
            ref_chars=len(references[index]),
            char_edits=char_substitutions + char_deletions + char_insertions,
            alignment=_aligned_words(words.alignments[index], ref_words, hyp_words),
            audio_s=utterance.audio_s, processing_s=utterance.processing_s,
            nonspeech_s=utterance.nonspeech_s, nonspeech_words=utterance.nonspeech_words,
            repetition_loop=is_repetition_loop(hyp_words, utterance.hypothesis),
        ))
    return tuple(scores)


def score_utterance(utterance: TranscribedUtterance, normalizer: Normalizer) -> UtteranceScore:
    """`score_utterances` for one utterance."""
    return score_utterances([utterance], normalizer)[0]


def _edit_counts(chunks: Sequence[jiwer.AlignmentChunk]) -> tuple[int, int, int]:
    """(substitutions, deletions, insertions) of one utterance's alignment chunks."""
    substitutions = deletions = insertions = 0
    for chunk in chunks:
        if chunk.type == SUBSTITUTE:
            substitutions += chunk.ref_end_idx - chunk.ref_start_idx
        elif chunk.type == DELETE:
            deletions += chunk.ref_end_idx - chunk.ref_start_idx
        elif chunk.type == INSERT:
            insertions += chunk.hyp_end_idx - chunk.hyp_start_idx
    return substitutions, deletions, insertions


def _aligned_words(chunks: Sequence[jiwer.AlignmentChunk], ref: list[str], hyp: list[str]) -> tuple[AlignedWord, ...]:
    pairs: list[AlignedWord] = []
    for chunk in chunks:
        if chunk.type in (EQUAL, SUBSTITUTE):  # equal-length spans, word for word
            pairs.extend(AlignedWord(chunk.type, ref_word, hyp_word) for ref_word, hyp_word in
                         zip(ref[chunk.ref_start_idx:chunk.ref_end_idx], hyp[chunk.hyp_start_idx:chunk.hyp_end_idx]))
        elif chunk.type == DELETE:
            pairs.extend(AlignedWord(DELETE, word, None) for word in ref[chunk.ref_start_idx:chunk.ref_end_idx])
        else:
            pairs.extend(AlignedWord(INSERT, None, word) for word in hyp[chunk.hyp_start_idx:chunk.hyp_end_idx])
    return tuple(pairs)
