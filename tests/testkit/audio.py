"""Writes test audio in many container/codec combinations with PyAV (the FFmpeg libraries)."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np

# suffix -> (container format, codec, sample format used for encoding)
FORMATS = {
    "wav": ("wav", "pcm_s16le", "s16"),
    "flac": ("flac", "flac", "s16"),
    "mp3": ("mp3", "libmp3lame", "fltp"),
    "opus": ("ogg", "libopus", "flt"),
    "m4a": ("ipod", "aac", "fltp"),
    "mulaw.wav": ("wav", "pcm_mulaw", "s16"),
}


def tone(seconds: float, sample_rate: int = 16000, freq: float = 440.0, amplitude: float = 0.3,
         seed: int = 0) -> np.ndarray:
    """A tone with a little seeded noise: float32 (n_samples,) in [-1, 1]."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    rng = np.random.default_rng(seed)
    return (amplitude * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def write_audio(path: Path, samples: np.ndarray, sample_rate: int, kind: str = "wav") -> Path:
    """samples: float32 (n,) mono or (channels, n). kind: a key of FORMATS. Returns path."""
    container_format, codec, sample_format = FORMATS[kind]
    planar = samples if samples.ndim == 2 else samples[None, :]
    channels = planar.shape[0]
    layout = "mono" if channels == 1 else "stereo"
    rate = 48000 if codec == "libopus" and sample_rate not in (8000, 12000, 16000, 24000, 48000) else sample_rate
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        if sample_format == "s16":
            interleaved = (np.clip(planar.T, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=layout)
        elif sample_format == "flt":
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar.T.reshape(1, -1)), format="flt",
                                               layout=layout)
        else:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(planar), format="fltp", layout=layout)
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def write_sphere(path: Path, samples: np.ndarray, sample_rate: int) -> Path:
    """A NIST SPHERE file (1024-byte ASCII header + little-endian PCM16), as in older telephony corpora."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    fields = [b"NIST_1A", b"   1024", f"sample_count -i {samples.size}".encode(),
              f"sample_rate -i {sample_rate}".encode(), b"channel_count -i 1", b"sample_n_bytes -i 2",
              b"sample_byte_format -s2 01", b"sample_coding -s3 pcm", b"end_head"]
    header = b"\n".join(fields) + b"\n"
    path.write_bytes(header.ljust(1024, b" ") + pcm)
    return path


def stereo_call(seconds: float = 4.0, sample_rate: int = 8000) -> np.ndarray:
    """float32 (2, n): the left channel talks in the first half, the right one in the second."""
    n = int(seconds * sample_rate)
    left, right = tone(seconds, sample_rate, 300), tone(seconds, sample_rate, 600, seed=1)
    left[n // 2:] *= 0.01
    right[: n // 2] *= 0.01
    return np.stack([left, right])
