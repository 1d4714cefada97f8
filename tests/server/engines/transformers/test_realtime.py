"""Voxtral Realtime's native streaming on a tiny random checkpoint. The honest invariant: a stream fed the audio
in pieces (any size) decides the same tokens as transformers' offline `generate` over the whole padded request
(token for token), and the text it hands out piece by piece joins into the offline transcript. Random weights
make the text gibberish, so the delay of each word is not checked; that text appears before finish() is."""
from __future__ import annotations

import pytest

from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.protocol import IncrementalDecoder

OPTIONS = DecodeOptions(beam_size=1, language="")


@pytest.mark.parametrize("piece_samples", [1280, 3000, 16000])
def test_stream_decides_the_offline_tokens_whatever_the_piece_size(recognizers, utterance, piece_samples):
    recognizer = recognizers("voxtral_realtime")
    offline = recognizer.decode_clips([utterance], OPTIONS)[0]
    stream = recognizer.open_stream(OPTIONS)
    assert isinstance(stream, IncrementalDecoder)
    pieces = [stream.push(utterance[first:first + piece_samples])
              for first in range(0, utterance.size, piece_samples)]
    before_finish = "".join(pieces)
    pieces.append(stream.finish())
    assert stream.tokens == offline.tokens
    assert "".join(pieces) == offline.text
    assert before_finish  # text is decided while audio still arrives, not only at the end
    assert stream.finish() == ""
    with pytest.raises(ValueError, match="finished"):
        stream.push(utterance[:100])


def test_the_delay_holds_text_back_until_enough_audio_arrived(recognizers, utterance):
    recognizer = recognizers("voxtral_realtime")
    stream = recognizer.open_stream(OPTIONS)
    layout = recognizer.layout
    # the first token needs the prompt's audio: (delay + 1) tokens of real audio after the left padding
    assert stream.push(utterance[:layout.delay_tokens * layout.samples_per_token]) == ""
    assert stream.tokens == ()
    stream.push(utterance[layout.delay_tokens * layout.samples_per_token:(layout.delay_tokens + 2)
                          * layout.samples_per_token])
    assert len(stream.tokens) >= 1
