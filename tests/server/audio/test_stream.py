"""Incremental stream decoding: LINEAR16 (raw PCM16, optionally behind a WAV header) and encoded files."""
from __future__ import annotations

import struct
import threading
import time

import numpy as np
import pytest

from adapt_server.audio.decode import AudioDecodeError
from adapt_server.audio.encode import encode_audio
from adapt_server.audio.stream import (
    MAX_WAV_HEADER_BYTES,
    MAX_WAV_HEADER_CHUNKS,
    EncodedStream,
    Linear16Stream,
    StreamFormatError,
)
from adapt_server.audio.wav import float_to_pcm16


def tone_pcm16(seconds: float, rate: int, channels: int = 1) -> bytes:
    """Interleaved little-endian PCM16 bytes of a 440 Hz tone."""
    t = np.arange(round(seconds * rate)) / rate
    mono = float_to_pcm16(0.3 * np.sin(2 * np.pi * 440 * t))
    return np.repeat(mono, channels).astype("<i2").tobytes()


def chunk(chunk_id: bytes, payload: bytes) -> bytes:
    """One RIFF chunk: id, little-endian size, payload, pad byte when the size is odd."""
    return chunk_id + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) & 1)


def fmt_payload(channels: int = 1, rate: int = 16000, bits: int = 16, audio_format: int = 1) -> bytes:
    block = channels * bits // 8
    return struct.pack("<HHIIHH", audio_format, channels, rate, rate * block, block, bits)


def riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def decode_all(stream: Linear16Stream, messages) -> np.ndarray:
    return np.concatenate([stream.push(m) for m in messages] + [stream.finish()])


# ------------------------------------------------------------------------------------------------ LINEAR16


@pytest.mark.parametrize("size", [1, 3, 7, 160, 4096])
def test_pcm_in_odd_sized_messages_decodes_like_one_message(size):
    pcm = tone_pcm16(0.5, 8000, channels=2)
    whole = decode_all(Linear16Stream(8000, 2), [pcm])
    pieces = decode_all(Linear16Stream(8000, 2), [pcm[i:i + size] for i in range(0, len(pcm), size)])
    assert whole.size == pytest.approx(8000, abs=40)  # 0.5 s at 16 kHz
    np.testing.assert_array_equal(pieces, whole)


def test_pcm_whose_first_bytes_look_like_riff_is_still_pcm():
    pcm = b"RI" + tone_pcm16(0.2, 16000)[2:]
    assert decode_all(Linear16Stream(16000), [pcm[:1], pcm[1:3], pcm[3:]]).size == pytest.approx(3200, abs=20)


def test_wav_header_is_checked_and_skipped():
    pcm = tone_pcm16(0.5, 8000)
    wav = riff(chunk(b"fmt ", fmt_payload(rate=8000)), chunk(b"LIST", b"INFOISFT" + b"x" * 301), chunk(b"data", pcm))
    np.testing.assert_array_equal(decode_all(Linear16Stream(8000), [wav]), decode_all(Linear16Stream(8000), [pcm]))


def test_wav_header_split_across_messages_at_every_byte():
    """A client that sends a .wav file in small pieces: the header may end anywhere (was: refused unless the
    whole header came in the first message)."""
    pcm = tone_pcm16(0.1, 16000)
    wav = riff(chunk(b"fmt ", fmt_payload()), chunk(b"LIST", b"INFO" + b"y" * 2000), chunk(b"data", pcm))
    expected = decode_all(Linear16Stream(16000), [pcm])
    for size in (1, 5, 44, 1000):
        got = decode_all(Linear16Stream(16000), [wav[i:i + size] for i in range(0, len(wav), size)])
        np.testing.assert_array_equal(got, expected)


def test_fmt_chunk_header_ending_the_message_is_a_clear_error():
    """Issue 16, defect 7: a RIFF whose "fmt " chunk header ends the message raised struct.error (INTERNAL)."""
    message = riff(chunk(b"JUNK", b"\0" * 16)) + b"fmt " + struct.pack("<I", 16)
    assert len(message) == 44
    stream = Linear16Stream(16000)
    assert stream.push(message).size == 0  # the fmt payload may still come in the next message
    with pytest.raises(StreamFormatError, match="ended inside its WAV header.*fmt chunk missing"):
        stream.finish()
    # ... and when it does come, the stream goes on
    stream = Linear16Stream(16000)
    stream.push(message)
    assert decode_all(stream, [fmt_payload(), chunk(b"data", tone_pcm16(0.1, 16000))]).size > 1000


@pytest.mark.parametrize("fmt, error", [
    (fmt_payload(channels=0), "declares 0 channel"),
    (fmt_payload(rate=0), "at 0 Hz"),
    (fmt_payload(bits=0), "0-bit samples"),
    (fmt_payload(bits=8), "8-bit samples.*ENCODED"),
    (fmt_payload(bits=24), "24-bit samples.*ENCODED"),
    (fmt_payload(audio_format=3, bits=32), "format 0x0003, not PCM"),
    (fmt_payload()[:14], "fmt chunk is 14 bytes"),
    (fmt_payload(rate=44100), "44100 Hz, 1 channel.*declared 16000 Hz"),
], ids=["channels0", "rate0", "bits0", "bits8", "bits24", "float", "short_fmt", "rate_mismatch"])
def test_wav_header_fields_that_do_not_fit_are_clear_errors(fmt, error):
    wav = riff(chunk(b"fmt ", fmt), chunk(b"data", tone_pcm16(0.1, 16000)))
    with pytest.raises(StreamFormatError, match=error):
        decode_all(Linear16Stream(16000), [wav])


def test_extensible_pcm16_header_is_accepted():
    guid_pcm = struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71")
    fmt = fmt_payload(audio_format=0xFFFE) + struct.pack("<HHI", 22, 16, 4) + guid_pcm
    wav = riff(chunk(b"fmt ", fmt), chunk(b"data", tone_pcm16(0.1, 16000)))
    assert decode_all(Linear16Stream(16000), [wav]).size == pytest.approx(1600, abs=20)


def test_junk_chunk_bomb_is_refused_in_constant_time():
    """Issue 16, defect 4: one 56 MB message of a RIFF header and 7 million empty JUNK chunks kept the event
    loop busy for seconds (a Python loop over every chunk); the walk now stops at MAX_WAV_HEADER_CHUNKS."""
    bomb = b"RIFF" + struct.pack("<I", 4 + 8 * 7_000_000) + b"WAVE" + b"JUNK\0\0\0\0" * 7_000_000
    stream = Linear16Stream(16000)
    started = time.process_time()
    with pytest.raises(StreamFormatError, match=f"more than {MAX_WAV_HEADER_CHUNKS} chunks"):
        stream.push(bomb)
    assert time.process_time() - started < 0.5  # copying 56 MB once; the old walk took ~2.5 s


def test_junk_chunks_sent_one_per_message_are_refused_too():
    stream = Linear16Stream(16000)
    stream.push(riff())
    with pytest.raises(StreamFormatError, match="more than"):
        for _ in range(MAX_WAV_HEADER_CHUNKS + 1):
            stream.push(b"JUNK\0\0\0\0")


def test_chunk_claiming_more_than_the_header_limit_is_refused_at_once():
    stream = Linear16Stream(16000)
    with pytest.raises(StreamFormatError, match=f"larger than {MAX_WAV_HEADER_BYTES} bytes.*'LIST'"):
        stream.push(riff(chunk(b"fmt ", fmt_payload())) + b"LIST" + struct.pack("<I", 0xFFFFFFF0))


def test_riff_that_is_not_wave_is_refused():
    with pytest.raises(StreamFormatError, match="RIFF file but not WAVE"):
        Linear16Stream(16000).push(b"RIFF\x10\0\0\0AVI LIST" + b"\0" * 40)


def test_data_before_fmt_is_refused():
    with pytest.raises(StreamFormatError, match="data chunk comes before any fmt chunk"):
        decode_all(Linear16Stream(16000), [riff(chunk(b"data", tone_pcm16(0.1, 16000)))])


@pytest.mark.parametrize("cut", [4, 11, 20, 36, 43])
def test_stream_ending_inside_the_header_is_an_error(cut):
    wav = riff(chunk(b"fmt ", fmt_payload()), chunk(b"data", tone_pcm16(0.1, 16000)))
    stream = Linear16Stream(16000)
    stream.push(wav[:cut])
    with pytest.raises(StreamFormatError, match="ended inside its WAV header"):
        stream.finish()


def test_declared_format_is_checked():
    with pytest.raises(StreamFormatError, match="sample_rate_hz must be between"):
        Linear16Stream(4000)
    with pytest.raises(StreamFormatError, match="channels must be 1 or 2"):
        Linear16Stream(16000, 3)


# ------------------------------------------------------------------------------------------------ encoded


def collect_encoded(data: bytes, piece: int = 1000, declared_rate: int = 0) -> np.ndarray:
    out, lock = [], threading.Lock()

    def on_audio(samples):
        with lock:
            out.append(samples)

    stream = EncodedStream(on_audio, declared_rate)
    for i in range(0, len(data), piece):
        stream.push(data[i:i + piece])
    stream.finish(timeout=20)
    return np.concatenate(out) if out else np.zeros(0, np.float32)


@pytest.mark.parametrize("container, codec", [("mp3", "libmp3lame"), ("ogg", "libopus"), ("flac", "flac")])
def test_encoded_stream_decodes_streamable_formats(container, codec):
    t = np.arange(16000) / 16000
    data = encode_audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000, container=container,
                        codec=codec, codec_sample_rate=48000 if codec == "libopus" else None)
    assert collect_encoded(data).size == pytest.approx(16000, rel=0.1)


def test_encoded_stream_declared_rate_mismatch_and_garbage_are_decode_errors():
    t = np.arange(8000) / 8000
    wav = encode_audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 8000, container="wav",
                       codec="pcm_s16le")
    with pytest.raises(StreamFormatError, match="8000 Hz but the config declared 16000"):
        collect_encoded(wav, declared_rate=16000)
    with pytest.raises(AudioDecodeError):
        collect_encoded(bytes(range(256)) * 40)


def test_encoded_stream_refuses_absurd_sample_rates_at_once():
    """A 2 KB wav declaring 598 MHz kept the decoding thread busy for ~6 s (libswresample's filter set-up)."""
    body = b"WAVE" + chunk(b"fmt ", fmt_payload(rate=597_951_872)) + chunk(b"data", tone_pcm16(0.05, 16000))
    started = time.perf_counter()
    with pytest.raises(AudioDecodeError, match="declared at 597951872 Hz"):
        collect_encoded(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert time.perf_counter() - started < 2.0


def test_encoded_wav_header_is_walked_within_bounds_first():
    """A 2 KB WAV whose LIST claims 2 GB kept FFmpeg's demuxer (in the decoding thread) busy for seconds."""
    stream_bytes = riff(chunk(b"fmt ", fmt_payload())) + b"LIST" + struct.pack("<I", 0x8000001A) + bytes(2000)
    started = time.perf_counter()
    with pytest.raises(StreamFormatError, match="larger than 1048576 bytes.*'LIST'.*re-export the file"):
        collect_encoded(stream_bytes, piece=512)
    assert time.perf_counter() - started < 1.0
    wav = riff(chunk(b"fmt ", fmt_payload()), chunk(b"LIST", b"INFOISFT" + b"x" * 301), chunk(b"data", tone_pcm16(0.5, 16000)))
    for piece in (5, 512, 1 << 20):  # a valid header in any pieces goes through untouched
        assert collect_encoded(wav, piece=piece).size == pytest.approx(8000, abs=50)
