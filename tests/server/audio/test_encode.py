"""encode_audio: what it writes is what FFmpeg reads back."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.audio.encode import encode_audio


def _tone(freq_hz: float, seconds: float, sample_rate: int) -> np.ndarray:
    """float32 (n,): a 0.5-amplitude sine."""
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    return (0.5 * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)


@pytest.mark.parametrize(
    "container, codec, codec_rate, expected_container, expected_codec, expected_rate",
    [
        ("wav", "pcm_s16le", None, "wav", "pcm_s16le", 16000),
        ("wav", "pcm_mulaw", 8000, "wav", "pcm_mulaw", 8000),
        ("flac", "flac", None, "flac", "flac", 16000),
        ("mp3", "libmp3lame", None, "mp3", "mp3", 16000),
        ("ogg", "libopus", 48000, "ogg", "opus", 48000),
        ("ipod", "aac", None, "mov,mp4,m4a,3gp,3g2,mj2", "aac", 16000),
    ],
)
def test_round_trip_through_ffmpeg(container, codec, codec_rate, expected_container, expected_codec, expected_rate):
    data = encode_audio(_tone(440, 1.0, 16000), 16000, container=container, codec=codec, codec_sample_rate=codec_rate)
    decoded = decode_audio(data)
    assert (decoded.info.container, decoded.info.codec) == (expected_container, expected_codec)
    assert decoded.info.sample_rate == expected_rate
    assert decoded.duration_s == pytest.approx(1.0, abs=0.05)


def test_stereo_channels_stay_apart():
    left, right = _tone(300, 1.0, 16000), np.zeros(16000, dtype=np.float32)
    decoded = decode_audio(encode_audio(np.stack([left, right]), 16000, container="wav", codec="pcm_s16le"),
                           keep_channels=True)
    assert decoded.samples.shape == (2, 16000)
    np.testing.assert_allclose(decoded.samples[0], left, atol=1 / 32768)
    assert np.abs(decoded.samples[1]).max() == 0


def test_bit_rate_is_applied():
    samples = _tone(440, 2.0, 16000)
    low = encode_audio(samples, 16000, container="mp3", codec="libmp3lame", bit_rate=32_000)
    high = encode_audio(samples, 16000, container="mp3", codec="libmp3lame", bit_rate=128_000)
    assert len(high) > 2.5 * len(low)


def test_rejects_bad_shapes():
    with pytest.raises(ValueError, match="1 or 2 channels"):
        encode_audio(np.zeros((3, 100), dtype=np.float32), 16000, container="wav", codec="pcm_s16le")
    with pytest.raises(ValueError, match="at least one sample"):
        encode_audio(np.zeros(0, dtype=np.float32), 16000, container="wav", codec="pcm_s16le")
