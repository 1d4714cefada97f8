"""Adapt's normalized storage format: mono PCM16 WAV (16 kHz by convention), written and read with numpy.

float <-> int16 uses full scale 32768 both ways (1.0 clips to 32767), so `read_pcm16_wav(encode_pcm16_wav(x))`
returns `x` exactly whenever `x` is already on the int16 grid (k / 32768), and within 1 / 65536 otherwise.
"""
from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from adapt_server.audio.constants import PCM16_FULL_SCALE, PCM16_MAX, PCM16_SAMPLE_WIDTH, TARGET_CHANNELS


def float_to_pcm16(samples: np.ndarray) -> np.ndarray:
    """int16 (n,) from float samples (n,) in [-1, 1]: scaled by 32768, rounded, clipped to the int16 range."""
    scaled = np.rint(np.asarray(samples, dtype=np.float32) * np.float32(PCM16_FULL_SCALE))
    return np.clip(scaled, -PCM16_FULL_SCALE, PCM16_MAX).astype("<i2")


def encode_pcm16_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """A complete mono PCM16 WAV file (bytes) of `samples`: float32, shape (n,), in [-1, 1], at `sample_rate` Hz."""
    samples = np.asarray(samples)
    if samples.ndim != 1:
        raise ValueError(f"encode_pcm16_wav takes mono samples of shape (n,), got shape {samples.shape}")
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate}")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(TARGET_CHANNELS)
        writer.setsampwidth(PCM16_SAMPLE_WIDTH)
        writer.setframerate(int(sample_rate))
        writer.writeframes(float_to_pcm16(samples).tobytes())
    return buffer.getvalue()


def write_pcm16_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> Path:
    """Write `samples` (float32 (n,) in [-1, 1] at `sample_rate` Hz) to `path` as mono PCM16 WAV; returns the path."""
    path = Path(path)
    path.write_bytes(encode_pcm16_wav(samples, sample_rate))
    return path


def read_pcm16_wav(source: str | Path | bytes) -> tuple[np.ndarray, int]:
    """(samples, sample_rate) of a mono PCM16 WAV: samples float32, shape (n,), in [-1, 1); rate in Hz.

    `source` is a path or the file's bytes. Raises ValueError naming the file when it is not a mono 16-bit PCM
    WAV (use `adapt_server.audio.decode.decode_audio` for anything else).
    """
    name = f"<{len(source)} bytes>" if isinstance(source, (bytes, bytearray)) else str(source)
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")
    try:
        with wave.open(stream, "rb") as reader:
            channels, width, rate, frames = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
                reader.getnframes(),
            )
            if channels != TARGET_CHANNELS or width != PCM16_SAMPLE_WIDTH:
                raise ValueError(
                    f"{name}: expected mono 16-bit PCM WAV, found {channels} channel(s) of {8 * width}-bit samples; "
                    f"decode it with decode_audio instead"
                )
            data = reader.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{name}: not a PCM WAV file ({error}); decode it with decode_audio instead") from error
    finally:
        stream.close()
    pcm = np.frombuffer(data, dtype="<i2")
    return pcm.astype(np.float32) / np.float32(PCM16_FULL_SCALE), rate
