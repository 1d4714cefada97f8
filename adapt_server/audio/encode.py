"""Encode float32 samples into any container/codec FFmpeg can write (PyAV), in memory.

Used to deliver audio in the formats users ask for (and by tests and benchmarks to make fixtures in every
format intake must read). Adapt's own normalized storage is PCM16 WAV: see `adapt_server.audio.wav`.
"""
from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np

_ENCODE_CHUNK_SAMPLES = 65536  # samples per frame handed to the encoder (PyAV re-frames for the codec)
_LAYOUTS = {1: "mono", 2: "stereo"}


def encode_audio(
    samples: np.ndarray,
    sample_rate: int,
    *,
    container: str,
    codec: str,
    bit_rate: int | None = None,
    codec_sample_rate: int | None = None,
) -> bytes:
    """Encode `samples` and return the whole file's bytes.

    samples: float32, shape (n,) for mono or (channels, n) with 1 or 2 channels, in [-1, 1], at `sample_rate` Hz.
    container: FFmpeg muxer name ("wav", "flac", "mp3", "ogg", "ipod" for .m4a, "nistsphere" is read-only).
    codec: FFmpeg encoder name ("pcm_s16le", "pcm_mulaw", "flac", "libmp3lame", "libopus", "aac", ...).
    bit_rate: bits/s for lossy codecs (None: the encoder's default).
    codec_sample_rate: Hz to encode at when it differs from `sample_rate` (e.g. 48000 for libopus, 8000 for
        telephony mu-law); PyAV resamples with libswresample.
    """
    planar = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    channels = planar.shape[0]
    if channels not in _LAYOUTS:
        raise ValueError(f"encode_audio supports 1 or 2 channels, got samples of shape {samples.shape}")
    if planar.shape[1] == 0:
        raise ValueError("encode_audio needs at least one sample")
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=codec_sample_rate or sample_rate)
        stream.layout = _LAYOUTS[channels]
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        for start in range(0, planar.shape[1], _ENCODE_CHUNK_SAMPLES):
            chunk = np.ascontiguousarray(planar[:, start : start + _ENCODE_CHUNK_SAMPLES])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=_LAYOUTS[channels])
            frame.sample_rate = sample_rate
            frame.pts = start
            frame.time_base = Fraction(1, sample_rate)
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return buffer.getvalue()
