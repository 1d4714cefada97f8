"""Write and read the calls' WAV files with PyAV: G.711 mu-law (the usual telephony recording format) or
linear 16-bit PCM (the mobile and wideband channel conditions)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from adapt_server.sampledata.constants import TELEPHONE_CODEC, TELEPHONE_CONTAINER

_LAYOUTS = {1: "mono", 2: "stereo"}
WAV_CODECS = (TELEPHONE_CODEC, "pcm_s16le")  # FFmpeg codecs write_wav writes: mu-law, PCM16


@dataclass(frozen=True, eq=False)
class DecodedWav:
    samples: np.ndarray  # (n_channels, n_samples) int16
    sample_rate: int  # Hz
    codec: str  # FFmpeg codec name, "pcm_mulaw" for G.711 mu-law


def write_mulaw_wav(path: Path, channels: np.ndarray, sample_rate: int) -> None:
    """Encode (n_channels, n_samples) int16 PCM, 1 or 2 channels, as a mu-law WAV file at `path`.

    The file is written bit-exactly (no encoder tag), so the same samples always give the same bytes.
    """
    write_wav(path, channels, sample_rate, TELEPHONE_CODEC)


def write_wav(path: Path, channels: np.ndarray, sample_rate: int, codec: str) -> None:
    """Encode (n_channels, n_samples) int16 PCM, 1 or 2 channels, as a WAV file of `codec` (one of WAV_CODECS)
    at `path`, bit-exactly (no encoder tag): the same samples always give the same bytes."""
    if codec not in WAV_CODECS:
        raise ValueError(f"write_wav({path}) writes {', '.join(WAV_CODECS)}, not {codec!r}")
    if channels.dtype != np.int16 or channels.ndim != 2 or channels.shape[0] not in _LAYOUTS:
        raise ValueError(
            f"write_wav({path}) needs (1 or 2, n_samples) int16 samples, got {channels.dtype} {channels.shape}"
        )
    layout = _LAYOUTS[channels.shape[0]]
    interleaved = np.ascontiguousarray(channels.T).reshape(1, -1)
    with av.open(str(path), "w", format=TELEPHONE_CONTAINER, options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream(codec, rate=sample_rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(interleaved, format="s16", layout=layout)
        frame.sample_rate = sample_rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def read_wav(path: Path) -> DecodedWav:
    """Decode the first audio stream of any file FFmpeg reads into (n_channels, n_samples) int16."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise ValueError(f"{path} has no audio stream")
        stream = container.streams.audio[0]
        n_channels = stream.codec_context.channels
        resampler = av.AudioResampler(format="s16p", layout=_LAYOUTS.get(n_channels, "stereo"), rate=stream.rate)
        pieces = []
        for frame in container.decode(stream):
            for converted in resampler.resample(frame):
                pieces.append(converted.to_ndarray())
        for converted in resampler.resample(None):
            pieces.append(converted.to_ndarray())
        samples = np.concatenate(pieces, axis=1) if pieces else np.zeros((n_channels, 0), dtype=np.int16)
        return DecodedWav(samples.astype(np.int16, copy=False), stream.rate, stream.codec_context.name)
