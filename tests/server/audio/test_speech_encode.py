"""Speech output encodings: wav, raw PCM16, G.711 mu-law, Ogg/Opus; unary and streaming; any rate."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.audio.encode import (MULAW, OGG_OPUS, PCM16, SPEECH_ENCODINGS, WAV, SpeechStreamEncoder,
                                       encode_audio, encode_speech, mulaw_encode, output_format, resample)
from adapt_server.errors import InvalidArgument


def _tone(seconds=1.0, rate=24000, freq=440.0):
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_default_rates_follow_the_encoding():
    assert output_format("wav", None, 24000).sample_rate == 24000
    assert output_format("mulaw", 0, 24000).sample_rate == 8000
    assert output_format("ogg_opus", None, 22050).sample_rate == 48000
    assert output_format("OGG_OPUS", None, 24000).sample_rate == 24000


@pytest.mark.parametrize("encoding, rate, fragment", [
    ("mp3", None, "unsupported audio encoding 'mp3'"),
    ("wav", 4000, "out of range"),
    ("pcm16", 96000, "out of range"),
    ("ogg_opus", 22050, "Opus encodes at"),
    ("wav", 16000.5, "integer"),
])
def test_bad_formats_are_invalid_argument(encoding, rate, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        output_format(encoding, rate, 24000)


@pytest.mark.parametrize("encoding, rate", [(WAV, 16000), (PCM16, 24000), (MULAW, 8000), (OGG_OPUS, 48000)])
def test_unary_output_decodes_back_to_the_tone(encoding, rate):
    fmt = output_format(encoding, rate, 24000)
    data = encode_speech(_tone(), 24000, fmt)
    if encoding == PCM16:
        assert len(data) == 2 * rate
        return
    if encoding == MULAW:
        assert data == mulaw_encode(resample(_tone(), 24000, 8000)) and len(data) == rate
        return
    decoded = decode_audio(data)
    assert decoded.duration_s == pytest.approx(1.0, abs=0.03)
    spectrum = np.abs(np.fft.rfft(decoded.samples[:16000]))
    assert np.argmax(spectrum) == pytest.approx(440, abs=3)  # 1 Hz bins over one second at 16 kHz


@pytest.mark.parametrize("encoding", SPEECH_ENCODINGS)
def test_streamed_pieces_concatenate_to_a_valid_stream(encoding):
    fmt = output_format(encoding, None, 24000)
    encoder = SpeechStreamEncoder(fmt, 24000)
    tone = _tone(0.9)
    pieces = [encoder.push(tone[:9000]), encoder.push(tone[9000:]), encoder.finish()]
    stream = b"".join(pieces)
    if encoding == WAV:
        assert pieces[0][:4] == b"RIFF" and pieces[0][4:8] == b"\xff\xff\xff\xff"
        assert decode_audio(stream).duration_s == pytest.approx(0.9, abs=0.02)
    elif encoding == OGG_OPUS:
        assert stream[:4] == b"OggS"
        assert decode_audio(stream).duration_s == pytest.approx(0.9, abs=0.05)
    else:
        assert len(stream) == int(0.9 * fmt.sample_rate) * (2 if encoding == PCM16 else 1)


def test_mulaw_matches_the_itu_reference_on_every_int16_value():
    audioop = pytest.importorskip("audioop")  # CPython's G.711 (removed in Python 3.13)
    pcm = np.arange(-32768, 32768, dtype=np.int16)
    assert mulaw_encode(pcm.astype(np.float32) / 32768) == audioop.lin2ulaw(pcm.tobytes(), 2)


def test_mulaw_is_within_one_code_of_ffmpeg():
    x = np.linspace(-1, 1, 20001).astype(np.float32)
    ours = np.frombuffer(mulaw_encode(x), np.uint8).astype(int)
    ffmpeg = np.frombuffer(encode_audio(x, 8000, container="mulaw", codec="pcm_mulaw"), np.uint8).astype(int)
    assert np.abs(ours - ffmpeg).max() <= 1


def test_resample_keeps_the_tone_and_length():
    out = resample(_tone(1.0, 22050), 22050, 8000)
    assert out.size == 8000 and out.dtype == np.float32
    assert np.argmax(np.abs(np.fft.rfft(out))) == pytest.approx(440, abs=2)
