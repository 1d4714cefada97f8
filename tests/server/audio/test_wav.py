"""The normalized storage format: mono PCM16 WAV."""
from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from adapt_server.audio.constants import NORMALIZED_BYTES_PER_SECOND, PCM16_FULL_SCALE, TARGET_SAMPLE_RATE
from adapt_server.audio.encode import encode_audio
from adapt_server.audio.wav import encode_pcm16_wav, float_to_pcm16, read_pcm16_wav, write_pcm16_wav

WAV_HEADER_BYTES = 44  # RIFF + fmt + data chunk headers of a plain PCM WAV


def test_header_fields_and_size():
    data = encode_pcm16_wav(np.zeros(TARGET_SAMPLE_RATE * 3, dtype=np.float32), TARGET_SAMPLE_RATE)
    assert len(data) == WAV_HEADER_BYTES + 3 * NORMALIZED_BYTES_PER_SECOND
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate(), reader.getnframes()) == (
            1, 2, TARGET_SAMPLE_RATE, TARGET_SAMPLE_RATE * 3)


def test_round_trip_is_exact_on_the_int16_grid(tmp_path):
    grid = np.random.default_rng(0).integers(-PCM16_FULL_SCALE, PCM16_FULL_SCALE, 5000)
    samples = (grid / PCM16_FULL_SCALE).astype(np.float32)
    restored, rate = read_pcm16_wav(encode_pcm16_wav(samples, 8000))
    assert rate == 8000 and restored.dtype == np.float32
    np.testing.assert_array_equal(restored, samples)
    path = write_pcm16_wav(tmp_path / "x.wav", samples, 8000)
    np.testing.assert_array_equal(read_pcm16_wav(path)[0], samples)


def test_round_trip_error_is_half_a_step():
    samples = np.random.default_rng(1).uniform(-1, 1, 10_000).astype(np.float32)
    restored, _ = read_pcm16_wav(encode_pcm16_wav(samples, TARGET_SAMPLE_RATE))
    assert np.abs(restored - samples).max() <= 0.5 / PCM16_FULL_SCALE + 1e-7


def test_clipping():
    pcm = float_to_pcm16(np.array([-2.0, -1.0, 0.0, 1.0, 2.0], dtype=np.float32))
    assert pcm.tolist() == [-32768, -32768, 0, 32767, 32767]


def test_rejects_non_mono_input_and_files():
    with pytest.raises(ValueError, match=r"shape \(n,\)"):
        encode_pcm16_wav(np.zeros((2, 10), dtype=np.float32), TARGET_SAMPLE_RATE)
    stereo = encode_audio(np.zeros((2, 100), dtype=np.float32), 16000, container="wav", codec="pcm_s16le")
    with pytest.raises(ValueError, match="2 channel"):
        read_pcm16_wav(stereo)
    flac = encode_audio(np.zeros(100, dtype=np.float32), 16000, container="flac", codec="flac")
    with pytest.raises(ValueError, match="not a PCM WAV"):
        read_pcm16_wav(flac)
