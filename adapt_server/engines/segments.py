"""Pure: one window's decoding and aligned words -> result segments; a recording's segments -> non-speech.

Timestamp mode: Whisper's timestamp tokens delimit the segments (openai/whisper). Without timestamp tokens
a window is one piece of text, split into segments after each sentence end when word times are known.
"""
from __future__ import annotations

from dataclasses import dataclass

from adapt_kernels.whisper_constants import TIME_PRECISION_S

from adapt_server.engines.quality import WindowDecoding
from adapt_server.engines.results import Segment, segment_confidence
from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.engines.vad import Window, non_speech_regions
from adapt_server.engines.word_timing import TimedWord
from adapt_server.spans import Word

SENTENCE_END = (".", "?", "!", "。", "？", "！")


@dataclass(frozen=True)
class Piece:
    """Text tokens between two timestamps (or a whole window), with times on the recording's timeline."""

    start: float  # seconds
    end: float  # seconds
    tokens: tuple[int, ...]  # text tokens


def window_pieces(decoding: WindowDecoding, window: Window, tokenizer: WhisperTokenizer,
                  timestamp_mode: bool) -> list[Piece]:
    """The decoding's text tokens cut at its timestamp pairs (timestamp mode), or one piece spanning the
    window's speech."""
    text = tuple(token for token in decoding.tokens if token < tokenizer.eot)
    if not timestamp_mode:
        return [Piece(window.regions[0][0], window.regions[-1][1], text)] if text else []
    begin = tokenizer.timestamp_begin
    pieces: list[Piece] = []
    current: list[int] = []
    piece_start = None
    for token in decoding.tokens:
        if token >= begin:
            time_s = min(window.end_s, window.start_s + (token - begin) * TIME_PRECISION_S)
            if current:
                pieces.append(Piece(window.start_s if piece_start is None else piece_start, time_s, tuple(current)))
                current, piece_start = [], None
            else:
                piece_start = time_s
        elif token < tokenizer.eot:
            current.append(token)
    if current:
        pieces.append(Piece(window.start_s if piece_start is None else piece_start, window.end_s, tuple(current)))
    return pieces


def window_segments(pieces: list[Piece], words: list[TimedWord], decoding: WindowDecoding,
                    tokenizer: WhisperTokenizer, split_sentences: bool) -> list[Segment]:
    """Segments of one window: each piece takes its words (by token count, in order); a piece with words
    spans its first to last word (split after sentence ends when split_sentences), one without spans the
    piece's times."""
    remaining = list(words)
    segments = []
    for piece in pieces:
        piece_words: list[TimedWord] = []
        taken = 0
        while remaining and taken < len(piece.tokens):
            taken += len(remaining[0].tokens)
            piece_words.append(remaining.pop(0))
        if piece_words:
            groups = _sentences(piece_words) if split_sentences else [piece_words]
            segments += [_segment(group[0].start, group[-1].end, "".join(word.text for word in group), group,
                                  decoding) for group in groups]
        else:
            text = tokenizer.decode(list(piece.tokens))
            if text.strip():
                segments.append(_segment(piece.start, piece.end, text, [], decoding))
    return segments


def non_speech(speech: list[tuple[float, float]], segments: list[Segment], duration_s: float,
               min_gap_s: float) -> tuple[tuple[float, float], ...]:
    """Gaps of at least min_gap_s (ms-rounded seconds) outside both the detected speech and the segments."""
    heard = _union(list(speech) + [(segment.start, segment.end) for segment in segments])
    return tuple((round(start, 3), round(end, 3))
                 for start, end in non_speech_regions(heard, duration_s, min(min_gap_s, duration_s)))


def _segment(start: float, end: float, text: str, words: list[TimedWord], decoding: WindowDecoding) -> Segment:
    spans = tuple(Word(start=word.start, end=word.end, text=word.text.strip(), confidence=word.probability)
                  for word in words if word.text.strip())
    return Segment(start=round(start, 3), end=round(max(start, end), 3), text=text.strip(), words=spans,
                   avg_logprob=decoding.avg_logprob, no_speech_prob=decoding.no_speech_prob,
                   compression_ratio=decoding.compression_ratio, temperature=decoding.temperature,
                   confidence=segment_confidence(spans, decoding.avg_logprob))


def _sentences(words: list[TimedWord]) -> list[list[TimedWord]]:
    """Words split after each word ending a sentence."""
    sentences: list[list[TimedWord]] = [[]]
    for word in words:
        sentences[-1].append(word)
        if word.text.rstrip().endswith(SENTENCE_END):
            sentences.append([])
    return [sentence for sentence in sentences if any(word.text.strip() for word in sentence)]


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
