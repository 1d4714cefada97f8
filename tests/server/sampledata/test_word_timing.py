import numpy as np

from adapt_server.sampledata.espeak import WordMark
from adapt_server.sampledata.tokens import tokenize
from adapt_server.sampledata.word_timing import word_sample_spans

FRAME = 10


def test_words_are_tightened_to_their_speech_frames():
    tokens = tokenize("one, two three")
    marks = (WordMark(0, 3, 0), WordMark(5, 3, 100), WordMark(9, 5, 200))
    speech = np.zeros(30, dtype=bool)
    speech[2:7] = True  # "one": 20-70, then the comma pause
    speech[12:18] = True  # "two": 120-180
    speech[20:27] = True  # "three": 200-270, then trailing silence
    spans = word_sample_spans(tokens, marks, speech, FRAME, 300)
    assert spans.tolist() == [[20, 70], [120, 180], [200, 270]]


def test_a_written_word_split_by_espeak_keeps_its_first_start():
    tokens = tokenize("my FlexiPay plan")
    marks = (WordMark(0, 2, 0), WordMark(3, 5, 50), WordMark(8, 3, 90), WordMark(12, 4, 150))
    speech = np.ones(20, dtype=bool)
    spans = word_sample_spans(tokens, marks, speech, FRAME, 200)
    assert spans.tolist() == [[0, 50], [50, 150], [150, 200]]


def test_words_without_a_mark_are_interpolated_between_their_neighbours():
    tokens = tokenize("aa bb cc")
    marks = (WordMark(0, 2, 0), WordMark(6, 2, 200))
    spans = word_sample_spans(tokens, marks, np.ones(30, dtype=bool), FRAME, 300)
    assert spans[0, 0] == 0 and spans[2].tolist() == [200, 300]
    assert 0 < spans[1, 0] < 200 and spans[0, 1] == spans[1, 0]
