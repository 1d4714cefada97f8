"""Pure: pocketsphinx's word segmentation of one decoded window -> result segments with timed words.

After an utterance is decoded, pocketsphinx lists what it recognized as entries (word, first frame, last
frame *inclusive*, posterior), frames being 1/frate seconds (10 ms for the en-us model). The list mixes
words with fillers that are not words: the sentence markers `<s>` and `</s>`, silence `<sil>`, and noise
words such as `[NOISE]` / `[SPEECH]` (the model's `noisedict`); a word may carry a pronunciation suffix
("for(2)" is the second pronunciation of "for"). Fillers are dropped and suffixes stripped here, so none of
them reaches the text.

Segments: a window's words are cut into segments wherever two consecutive words are at least
`min_pause_s` apart (a `<sil>`/noise stretch or a gap between words), as a person would start a new line.

Scores (pocketsphinx has no token log-probabilities, no no-speech probability and no temperature):
* word confidence: the word's posterior probability in pocketsphinx's word lattice (forward-backward over
  the lattice, computed when `bestpath` is on). A lattice node is a word *pronunciation* at a start frame, so
  probability mass split between pronunciations ("for", "for(2)") or between nearby start frames is not
  summed: the value tends to under-state confidence on short, common words. A posterior pocketsphinx did not
  compute (None) gives a word confidence of None.
* avg_logprob: mean natural log of the segment's word posteriors (nats per word), each floored at
  POSTERIOR_FLOOR; a word without a posterior counts as the floor (no evidence is low confidence).
* confidence: the mean word posterior (`segment_confidence`), or exp(avg_logprob) when no word has one.
* no_speech_prob 0.0 and temperature 0.0 (no such quantities); compression_ratio as for Whisper.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from adapt_server.engines.quality import compression_ratio
from adapt_server.engines.results import Segment, segment_confidence
from adapt_server.spans import Word

POSTERIOR_FLOOR = 1e-6  # probability: smallest word posterior counted in avg_logprob (ln = -13.8 nats)
NO_SPEECH_PROB = 0.0  # pocketsphinx has no no-speech probability
TEMPERATURE = 0.0  # pocketsphinx decodes deterministically (Viterbi beam search, then lattice best path)
_PRONUNCIATION_SUFFIX = re.compile(r"\(\d+\)$")  # "word(2)": the second pronunciation of "word"
_FILLER_SHAPES = re.compile(r"^(<.*>|\[.*\]|\+\+.*\+\+)$")  # <sil>, [NOISE], ++UH++ (older models)


@dataclass(frozen=True)
class SegEntry:
    """One entry of pocketsphinx's segmentation (`Decoder.seg()`) of a decoded window."""

    word: str  # dictionary word as pocketsphinx writes it, e.g. "hello", "for(2)", "<sil>", "[NOISE]"
    start_frame: int  # first frame, from the start of the window (frames of 1/frate seconds)
    end_frame: int  # last frame, inclusive
    posterior: float | None  # lattice posterior probability 0..1; None when pocketsphinx computed none


def base_word(word: str) -> str:
    """The word without its pronunciation suffix: "for(2)" -> "for"."""
    return _PRONUNCIATION_SUFFIX.sub("", word)


def is_filler(word: str, fillers: frozenset[str] = frozenset()) -> bool:
    """True for non-words: the model's filler dictionary entries, anything shaped <..>, [..] or ++..++."""
    word = base_word(word)
    return not word or word in fillers or bool(_FILLER_SHAPES.match(word))


def window_segments(entries: list[SegEntry], offset_s: float, end_s: float, frames_per_second: float,
                    min_pause_s: float, fillers: frozenset[str] = frozenset(),
                    with_words: bool = True) -> list[Segment]:
    """Segments of one decoded window.

    entries: the window's segmentation, in time order. offset_s: where the window starts in the audio
    (seconds); end_s: where it ends (word times are clipped to it). frames_per_second: the decoder's frame
    rate (100 for en-us). min_pause_s: seconds between two words that start a new segment. with_words:
    False leaves each segment's `words` empty (times and scores are still computed from them).
    """
    words = [_timed_word(entry, offset_s, end_s, frames_per_second) for entry in entries
             if not is_filler(entry.word, fillers)]
    groups: list[list[Word]] = []
    for word in words:
        if groups and word.start - groups[-1][-1].end < min_pause_s:
            groups[-1].append(word)
        else:
            groups.append([word])
    return [_segment(group, with_words) for group in groups]


def _timed_word(entry: SegEntry, offset_s: float, end_s: float, frames_per_second: float) -> Word:
    end = min(end_s, offset_s + (entry.end_frame + 1) / frames_per_second)
    start = min(end, offset_s + entry.start_frame / frames_per_second)
    return Word(start=round(start, 3), end=round(end, 3), text=base_word(entry.word),
                confidence=_probability(entry.posterior))


def _probability(posterior: float | None) -> float | None:
    """A posterior as a probability in [0, 1] (log-math rounding can leave it a hair above 1)."""
    if posterior is None or not math.isfinite(posterior):
        return None
    return min(1.0, max(0.0, float(posterior)))


def _segment(words: list[Word], with_words: bool) -> Segment:
    text = " ".join(word.text for word in words)
    logprobs = [math.log(max(POSTERIOR_FLOOR, word.confidence if word.confidence is not None else 0.0))
                for word in words]
    avg_logprob = sum(logprobs) / len(logprobs)
    return Segment(start=words[0].start, end=words[-1].end, text=text, words=tuple(words) if with_words else (),
                   avg_logprob=avg_logprob, no_speech_prob=NO_SPEECH_PROB, compression_ratio=compression_ratio(text),
                   temperature=TEMPERATURE, confidence=segment_confidence(tuple(words), avg_logprob))
