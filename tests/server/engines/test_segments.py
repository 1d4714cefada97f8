from __future__ import annotations

import pytest

from adapt_server.engines.quality import WindowDecoding
from adapt_server.engines.segments import Piece, non_speech, window_pieces, window_segments
from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.engines.vad import Window
from adapt_server.engines.word_timing import TimedWord
from adapt_server.models.bundled import bundled_model_path


@pytest.fixture(scope="module")
def tokenizer() -> WhisperTokenizer:
    return WhisperTokenizer(bundled_model_path() / "tokenizer.json", multilingual=False)


def decoding_of(tokens: list[int], tokenizer: WhisperTokenizer) -> WindowDecoding:
    return WindowDecoding(tokens=tuple(tokens), text=tokenizer.decode(tokens), avg_logprob=-0.2,
                          no_speech_prob=0.01, temperature=0.0, full_context=False)


def stamp(tokenizer: WhisperTokenizer, seconds: float) -> int:
    return tokenizer.timestamp_begin + round(seconds / 0.02)


def test_timestamp_pairs_delimit_pieces_on_the_recording_timeline(tokenizer):
    hello, world = tokenizer.encode(" Hello."), tokenizer.encode(" World.")
    tokens = [stamp(tokenizer, 0.0), *hello, stamp(tokenizer, 1.5), stamp(tokenizer, 2.0), *world,
              stamp(tokenizer, 3.0)]
    window = Window(10.0, 14.0, ((10.0, 14.0),))
    pieces = window_pieces(decoding_of(tokens, tokenizer), window, tokenizer, timestamp_mode=True)
    assert pieces == [Piece(10.0, 11.5, tuple(hello)), Piece(12.0, 13.0, tuple(world))]
    text_only = window_pieces(decoding_of(tokens, tokenizer), window, tokenizer, timestamp_mode=False)
    assert text_only == [Piece(10.0, 14.0, tuple(hello + world))]


def test_a_piece_without_closing_timestamp_runs_to_the_window_end(tokenizer):
    words = tokenizer.encode(" and then")
    window = Window(5.0, 9.0, ((5.5, 8.5),))
    pieces = window_pieces(decoding_of([stamp(tokenizer, 1.0), *words], tokenizer), window, tokenizer, True)
    assert pieces == [Piece(6.0, 9.0, tuple(words))]


def test_segments_take_their_words_and_split_at_sentences(tokenizer):
    first, second = tokenizer.encode(" Yes."), tokenizer.encode(" No way.")
    decoding = decoding_of(first + second, tokenizer)
    words = [TimedWord(" Yes.", tuple(first), 1.0, 1.4, 0.9),
             TimedWord(" No", tuple(second[:1]), 2.0, 2.2, 0.8),
             TimedWord(" way.", tuple(second[1:]), 2.2, 2.6, 0.6)]
    piece = [Piece(0.5, 3.0, tuple(first + second))]
    split = window_segments(piece, words, decoding, tokenizer, split_sentences=True)
    assert [(s.start, s.end, s.text) for s in split] == [(1.0, 1.4, "Yes."), (2.0, 2.6, "No way.")]
    assert split[1].confidence == pytest.approx(0.7) and [w.text for w in split[1].words] == ["No", "way."]
    whole = window_segments(piece, words, decoding, tokenizer, split_sentences=False)
    assert [(s.start, s.end, s.text) for s in whole] == [(1.0, 2.6, "Yes. No way.")]
    bare = window_segments(piece, [], decoding, tokenizer, split_sentences=True)
    assert [(s.start, s.end, s.words) for s in bare] == [(0.5, 3.0, ())]
    assert bare[0].confidence == pytest.approx(2.718281828 ** -0.2)


def test_non_speech_leaves_out_speech_and_segments(tokenizer):
    decoding = decoding_of(tokenizer.encode(" Hi."), tokenizer)
    segments = window_segments([Piece(4.0, 5.0, decoding.tokens)], [], decoding, tokenizer, True)
    assert non_speech([(1.0, 2.0)], segments, 8.0, min_gap_s=0.5) == ((0.0, 1.0), (2.0, 4.0), (5.0, 8.0))
    assert non_speech([(1.0, 2.0)], segments, 8.0, min_gap_s=1.5) == ((2.0, 4.0), (5.0, 8.0))
