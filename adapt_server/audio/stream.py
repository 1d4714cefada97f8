"""Incremental decoding for streaming transcription: audio arrives in chunks of any size and leaves as
16 kHz mono float32, ready for the recognizer.

- `Linear16Stream`: raw little-endian PCM16 at a declared rate (a chunk may end mid-sample). A stream that
  starts with a RIFF/WAVE header is accepted: the header is checked against the declared rate and skipped.
- `EncodedStream`: a streamable file (wav, mp3, ogg/opus, flac, adts aac) decoded by FFmpeg as it arrives,
  in a background thread that reads from an in-memory pipe.
Both resample with libswresample (PyAV), which keeps filter state across chunk boundaries.
"""
from __future__ import annotations

import io
import struct
import threading
from collections.abc import Callable

import av
import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError

MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 48000  # Hz accepted for declared PCM rates
WAV_HEADER_PROBE_BYTES = 44


class StreamFormatError(AudioDecodeError):
    """The stream does not match what its config declared (rate, channels, encoding)."""


def check_declared_format(sample_rate_hz: int, channels: int) -> tuple[int, int]:
    """Validates a declared PCM format; returns (rate, channels) with defaults applied."""
    channels = channels or 1
    if not MIN_SAMPLE_RATE <= sample_rate_hz <= MAX_SAMPLE_RATE:
        raise StreamFormatError(f"sample_rate_hz must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} "
                                f"for LINEAR16 audio; got {sample_rate_hz}")
    if channels not in (1, 2):
        raise StreamFormatError(f"channels must be 1 or 2; got {channels}")
    return sample_rate_hz, channels


class _Resampler:
    """Stateful conversion of frames to 16 kHz mono float32 (n,)."""

    def __init__(self):
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_SAMPLE_RATE)

    def push(self, frame: av.AudioFrame | None) -> np.ndarray:
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, np.float32)


class Linear16Stream:
    """Raw PCM16 chunks -> 16 kHz mono float32. `push` returns the samples ready so far; `finish` the rest."""

    def __init__(self, sample_rate_hz: int, channels: int = 1):
        self.sample_rate, self.channels = check_declared_format(sample_rate_hz, channels)
        self._layout = "mono" if self.channels == 1 else "stereo"
        self._pending = b""
        self._resampler = _Resampler()
        self._header_checked = False
        self.bytes_received = 0

    def push(self, chunk: bytes) -> np.ndarray:
        self.bytes_received += len(chunk)
        data = self._pending + chunk
        if not self._header_checked:
            if len(data) < WAV_HEADER_PROBE_BYTES and data[:4] in (b"RIFF", b"RIFF"[: len(data)]):
                self._pending = data  # wait for enough bytes to read a possible header
                return np.zeros(0, np.float32)
            data = self._skip_wav_header(data)
            self._header_checked = True
        frame_bytes = 2 * self.channels
        usable = len(data) - len(data) % frame_bytes
        self._pending = data[usable:]
        if not usable:
            return np.zeros(0, np.float32)
        pcm = np.frombuffer(data[:usable], dtype="<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout=self._layout)
        frame.sample_rate = self.sample_rate
        return self._resampler.push(frame)

    def finish(self) -> np.ndarray:
        return self._resampler.push(None)

    def _skip_wav_header(self, data: bytes) -> bytes:
        """A client that sends a .wav file as LINEAR16: check its header against the declared format."""
        if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
            return data
        offset = 12
        while offset + 8 <= len(data):
            chunk_id, size = data[offset:offset + 4], struct.unpack("<I", data[offset + 4:offset + 8])[0]
            if chunk_id == b"fmt ":
                audio_format, channels, rate = struct.unpack("<HHI", data[offset + 8:offset + 16])
                if rate != self.sample_rate or channels != self.channels:
                    raise StreamFormatError(
                        f"the stream is a WAV file of {rate} Hz, {channels} channel(s) but the config declared "
                        f"{self.sample_rate} Hz, {self.channels} channel(s); declare the file's format or send "
                        "it as ENCODED")
                if audio_format != 1:
                    raise StreamFormatError("the WAV file is not PCM16; send it with encoding ENCODED")
            if chunk_id == b"data":
                return data[offset + 8:]
            offset += 8 + size + (size & 1)
        raise StreamFormatError("the stream starts like a WAV file but its header is cut short; send the "
                                "header in one piece or use encoding ENCODED")


class _Pipe(io.RawIOBase):
    """A blocking in-memory pipe: the gRPC side writes, FFmpeg's demuxer reads (in another thread)."""

    def __init__(self):
        self._buffer = bytearray()
        self._eof = False
        self._cond = threading.Condition()

    def write_bytes(self, data: bytes) -> None:
        with self._cond:
            self._buffer += data
            self._cond.notify_all()

    def close_input(self) -> None:
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        with self._cond:
            while not self._buffer and not self._eof:
                self._cond.wait()
            n = min(len(target), len(self._buffer))
            target[:n] = self._buffer[:n]
            del self._buffer[:n]
            return n


class EncodedStream:
    """An encoded stream (a file sent in pieces) decoded as it arrives.

    `on_audio(samples float32 (n,) at 16 kHz)` is called from the decoding thread; `push` feeds bytes;
    `finish()` waits for the rest and raises the decoding error, if any. `declared_rate` (Hz, or 0) is
    checked against the stream once FFmpeg has read its header.
    """

    def __init__(self, on_audio: Callable[[np.ndarray], None], declared_rate: int = 0):
        self._pipe = _Pipe()
        self._on_audio = on_audio
        self._declared_rate = declared_rate
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="encoded-stream", daemon=True)
        self._thread.start()

    def push(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        self._pipe.write_bytes(chunk)

    def finish(self, timeout: float = 60.0) -> None:
        self._pipe.close_input()
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stops decoding (the client went away)."""
        self._pipe.close_input()

    def _run(self) -> None:
        try:
            with av.open(self._pipe, mode="r", options={"probesize": "8192"}) as container:
                if not container.streams.audio:
                    raise AudioDecodeError("the stream holds no audio")
                stream = container.streams.audio[0]
                rate = stream.codec_context.sample_rate
                if self._declared_rate and rate and rate != self._declared_rate:
                    raise StreamFormatError(f"the stream is {rate} Hz but the config declared "
                                            f"{self._declared_rate} Hz; fix sample_rate_hz or leave it 0")
                resampler = _Resampler()
                for frame in container.decode(stream):
                    samples = resampler.push(frame)
                    if samples.size:
                        self._on_audio(samples)
                tail = resampler.push(None)
                if tail.size:
                    self._on_audio(tail)
        except AudioDecodeError as exc:
            self.error = exc
        except (av.FFmpegError, OSError, ValueError) as exc:
            self.error = AudioDecodeError(f"the audio stream cannot be decoded: {exc}")
