from adapt_server.sampledata.tokens import tokenize, tokens_in_span


def test_tokenize_strips_edge_punctuation_and_keeps_spans():
    text = "Hi Dana, it's \"five five\"."
    tokens = tokenize(text)
    assert [t.text for t in tokens] == ["Hi", "Dana", "it's", "five", "five"]
    assert [text[t.char_start:t.char_end] for t in tokens] == ["Hi", "Dana,", "it's", "\"five", "five\"."]


def test_tokens_in_span_returns_the_overlapping_words():
    text = "Sure, my birthday is March third, nineteen ninety."
    tokens = tokenize(text)
    start = text.index("March")
    end = text.index(".", start)
    assert tokens_in_span(tokens, start, end) == (4, 5, 6, 7)
    assert tokens_in_span(tokens, 0, 0) == ()
