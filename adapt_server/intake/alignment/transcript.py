"""Aligning a recording-level transcript to its audio (any length): word times, utterances, a match score.

1. Recognition pass: the engine transcribes the recording (greedy, no temperature fallback; its VAD windows
   make any length work) with word times.
2. Anchoring: transcript words matching recognized words take their times, the others are interpolated
   (`anchors.rough_times`).
3. Windows: the transcript is cut at the widest pauses between rough times (trusting gaps between anchored
   words more) into pieces short enough that each, with a margin of audio on both sides, fits one 30-s
   Whisper window.
4. Forced alignment of each piece's words to its window (the engine's `align_words`): the final word times.
5. Pauses: word boundaries next to a pause the voice activity detector found are moved onto it
   (`pauses.snap_to_pauses`).
6. Score: the mean of the recognition's agreement with the transcript (`score.match_score`) and the forced
   alignment's mean word probability (teacher-forced: low when the words are not in the audio).
7. Utterances: the aligned words cut at pauses (`cuts.cut_at_pauses`) to at most max_utterance_s, and at
   speaker changes when speaker turns are given.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from adapt_kernels.whisper_constants import CHUNK_LENGTH, SAMPLE_RATE

from adapt_server.engines.forced_alignment import unlag
from adapt_server.engines.options import DecodeOptions, VadOptions
from adapt_server.engines.protocol import AlignmentWindow
from adapt_server.engines.vad import shared_vad, unpadded_regions
from adapt_server.errors import InvalidArgument
from adapt_server.intake.alignment.anchors import rough_times
from adapt_server.intake.alignment.cuts import cut_at_pauses
from adapt_server.intake.alignment.pauses import MIN_PAUSE_S, snap_to_pauses
from adapt_server.intake.alignment.result import AlignedUtterance, AlignmentResult
from adapt_server.intake.alignment.score import match_score
from adapt_server.spans import SpeakerTurn, Word

MAX_MARGIN_S = 1.0  # seconds of audio added on each side of a window's rough span
MIN_MARGIN_S = 0.15  # seconds: the least margin, even where the neighbouring word is closer
UNANCHORED_GAP_WEIGHT = 0.3  # how much a pause next to an interpolated word is trusted as a window cut
DEFAULT_PAUSE_S = 0.6  # seconds: a silence at least this long always ends an utterance
PAUSE_VAD = VadOptions(min_silence_s=MIN_PAUSE_S, speech_pad_s=0.0)  # unpadded speech, pauses >= MIN_PAUSE_S
RECOGNITION_OPTIONS = DecodeOptions(beam_size=1, temperatures=(0.0,), word_timestamps=True,
                                    max_new_tokens=224)  # a rough pass: greedy, bounded loops


def align_transcript(samples: np.ndarray, text: str, engine, *, max_utterance_s: float = 30.0,
                     pause_s: float | None = DEFAULT_PAUSE_S,
                     turns: Sequence[SpeakerTurn] | None = None) -> AlignmentResult:
    """Aligns `text` (the whole recording's transcript) to `samples` (float32 (n,), 16 kHz mono).

    engine: a loaded recognizer that is also a `WordAligner` (e.g. `adapt_server.engines.whisper.WhisperEngine`).
    max_utterance_s: longest utterance (seconds, 1..30). pause_s: a silence of at least this many seconds
    ends an utterance (None: cut only for length). turns: speaker turns (diarization); when given, utterances
    never span a speaker change and carry the speaker of their words.
    Raises InvalidArgument for an empty transcript, bad audio or an out-of-range max_utterance_s. A transcript
    of other audio is still aligned, with a low `score` (`matches_audio` False): the caller flags it.
    """
    samples = _checked_samples(samples)
    if not 1.0 <= max_utterance_s <= CHUNK_LENGTH:
        raise InvalidArgument(f"max_utterance_s must be between 1 and {CHUNK_LENGTH} seconds; got {max_utterance_s}")
    words = text.split() if isinstance(text, str) else []
    if not words:
        raise InvalidArgument("the transcript is empty: give the text spoken in the recording, or use "
                              "pseudo-labelling for untranscribed audio")
    duration = samples.size / SAMPLE_RATE
    recognition = engine.transcribe(samples, RECOGNITION_OPTIONS)
    recognized = [unlag(word) for word in recognition.words]
    speech = _speech(recognition.non_speech, duration)
    rough = rough_times(words, recognized, duration, speech)
    windows = _windows(words, rough, duration)
    aligned = without_overlaps([word for piece in engine.align_words(samples, windows) for word in piece])
    aligned = snap_to_pauses(aligned, detected_pauses(samples))
    utterances = cut_utterances(aligned, max_utterance_s, pause_s, turns)
    confidence = float(np.mean([word.confidence for word in aligned]))
    score = (match_score(text, recognition.text) + confidence) / 2
    return AlignmentResult(words=tuple(aligned), utterances=tuple(utterances), score=score,
                           recognized_text=recognition.text)


def cut_utterances(words: Sequence[Word], max_utterance_s: float, pause_s: float | None,
                   turns: Sequence[SpeakerTurn] | None = None, pseudo_labelled: bool = False
                   ) -> list[AlignedUtterance]:
    """Pure: timed words -> utterances of at most max_utterance_s cut at pauses (and speaker changes)."""
    speakers = [_speaker(word, turns) for word in words] if turns else [None] * len(words)
    breaks = [a != b for a, b in zip(speakers, speakers[1:])]
    pieces = cut_at_pauses([(word.start, word.end) for word in words], max_utterance_s, pause_s, breaks=breaks)
    utterances = []
    for piece in pieces:
        chosen = tuple(words[i] for i in piece)
        confidences = [word.confidence for word in chosen if word.confidence is not None]
        utterances.append(AlignedUtterance(
            start=chosen[0].start, end=chosen[-1].end, text=" ".join(word.text.strip() for word in chosen),
            words=chosen, confidence=float(np.mean(confidences)) if confidences else 0.0,
            speaker=speakers[piece.start], pseudo_labelled=pseudo_labelled))
    return utterances


def without_overlaps(words: list[Word]) -> list[Word]:
    """Pure: words of neighbouring windows (whose margins overlap) made non-overlapping: where one word ends
    after the next starts, both meet halfway."""
    out = list(words)
    for index in range(1, len(out)):
        previous, word = out[index - 1], out[index]
        if word.start >= previous.end:
            continue
        meet = round(max(previous.start, min(word.end, (previous.end + word.start) / 2)), 3)
        out[index - 1] = replace(previous, end=meet)
        out[index] = replace(word, start=meet, end=max(word.end, meet))
    return out


def detected_pauses(samples: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) seconds of the silences (>= MIN_PAUSE_S) between the speech Silero VAD finds."""
    duration = samples.size / SAMPLE_RATE
    probabilities = shared_vad().speech_probabilities(samples)
    regions = unpadded_regions(probabilities, duration, PAUSE_VAD, max_region_s=duration + 1.0)
    return [(end, start) for (_, end), (start, _) in zip(regions, regions[1:]) if start - end >= MIN_PAUSE_S]


def _windows(words: list[str], rough, duration: float) -> list[AlignmentWindow]:
    """Transcript pieces whose rough span plus margins fits one encoder window."""
    spans = [(word.start, word.end) for word in rough]
    weights = [1.0 if a.anchored and b.anchored else UNANCHORED_GAP_WEIGHT for a, b in zip(rough, rough[1:])]
    pieces = cut_at_pauses(spans, CHUNK_LENGTH - 2 * MAX_MARGIN_S, None, weights=weights)
    windows = []
    for index, piece in enumerate(pieces):
        first, last = rough[piece.start], rough[piece.stop - 1]
        before = first.start - (rough[piece.start - 1].end if piece.start > 0 else 0.0)
        after = (rough[piece.stop].start if piece.stop < len(rough) else duration) - last.end
        start = max(0.0, first.start - _margin(before, piece.start == 0))
        end = min(duration, last.end + _margin(after, piece.stop == len(rough)))
        if piece.stop == len(rough):  # the last piece: up to the end of the recording when it fits
            end = max(end, min(duration, start + CHUNK_LENGTH))
        if piece.start == 0:  # the first piece: from the start of the recording when it fits
            start = min(start, max(0.0, end - CHUNK_LENGTH))
        end = min(end, start + CHUNK_LENGTH)
        windows.append(AlignmentWindow(start, max(end, min(duration, start + 0.1)),
                                       tuple(words[i] for i in piece)))
    return windows


def _margin(gap: float, at_edge: bool) -> float:
    """Audio added beyond a piece: up to MAX_MARGIN_S, but not into the neighbouring piece's words."""
    if at_edge:
        return MAX_MARGIN_S
    return min(MAX_MARGIN_S, max(MIN_MARGIN_S, gap / 2))


def _speech(non_speech: Sequence[tuple[float, float]], duration: float) -> list[tuple[float, float]]:
    """The complement of the recognizer's non-speech regions inside [0, duration]."""
    speech, position = [], 0.0
    for start, end in sorted(non_speech):
        if start > position:
            speech.append((position, start))
        position = max(position, end)
    if position < duration:
        speech.append((position, duration))
    return speech


def _speaker(word: Word, turns: Sequence[SpeakerTurn]) -> str | None:
    """The speaker whose turn overlaps the word most (nearest turn when none overlaps)."""
    best = max(turns, key=lambda turn: (word.overlap(turn) if word.end > word.start else
                                        float(turn.start <= word.start <= turn.end),
                                        -min(abs(turn.start - word.start), abs(turn.end - word.end))),
               default=None)
    return best.speaker if best is not None else None


def _checked_samples(samples: np.ndarray) -> np.ndarray:
    array = np.asarray(samples)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.floating):
        raise InvalidArgument(f"audio must be float mono samples of shape (n,) at 16 kHz; got {array.dtype} "
                              f"{array.shape}")
    if array.size == 0:
        raise InvalidArgument("the audio is empty: there is nothing to align the transcript to")
    return np.ascontiguousarray(array, dtype=np.float32)
