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
from adapt_server.audio.decode import AudioDecodeError, check_source_sample_rate, decodable_audio_stream

MIN_SAMPLE_RATE, MAX_SAMPLE_RATE = 8000, 48000  # Hz accepted for declared PCM rates
# A LINEAR16 stream may start with a WAV file's header. Its chunks before "data" (fmt, LIST, bext, iXML, ...)
# are walked incrementally, and only this far: a header is a few KiB in practice, so these bounds only stop
# hostile input (millions of empty chunks, a chunk that claims gigabytes) from costing the server time or memory.
MAX_WAV_HEADER_BYTES = 1 << 20  # bytes: where the PCM data may start at the latest (1 MiB)
MAX_WAV_HEADER_CHUNKS = 64  # chunks before "data"
_RIFF_PREAMBLE_BYTES = 12  # "RIFF", the RIFF size (uint32), "WAVE"
_CHUNK_HEADER_BYTES = 8  # chunk id (4 bytes), payload size (uint32 little-endian)
_PCM_FMT_BYTES = 16  # the fields of a PCM "fmt " chunk: format, channels, rate, byte rate, block align, bits
_WAVE_FORMAT_PCM, _WAVE_FORMAT_EXTENSIBLE = 1, 0xFFFE
_EXTENSIBLE_FMT_BYTES = 40  # an extensible fmt chunk ends with the 16-byte sub-format GUID
_EMPTY = np.zeros(0, np.float32)


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
        if frame is not None:
            check_source_sample_rate(frame.sample_rate, "the audio stream")
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.float32, copy=False) if out else _EMPTY


class _WavHeader:
    """Incremental walk over the header of a WAV file sent as LINEAR16, checked against the declared format.

    `feed(bytes)` returns None while the header is incomplete, b"" or more once the "data" chunk's payload
    starts (the bytes of that message from there on). Work per call is O(bytes fed) for the buffering plus at
    most MAX_WAV_HEADER_CHUNKS chunk headers in total; the buffer never holds more than MAX_WAV_HEADER_BYTES
    plus the last message. Raises StreamFormatError for a header that is not 16-bit PCM of the declared rate
    and channels, or that breaks the bounds above.
    """

    def __init__(self, sample_rate: int, channels: int, *, check_fmt: bool = True):
        self._sample_rate, self._channels = sample_rate, channels
        self._check_fmt_chunk = check_fmt  # False: only the bounds and the chunk order (an ENCODED stream)
        self._fix = ("strip the metadata chunks or send the file as ENCODED" if check_fmt else
                     "strip the metadata chunks or re-export the file")
        self._buffer = bytearray()
        self._offset = _RIFF_PREAMBLE_BYTES  # where the next chunk header starts
        self._chunks = 0
        self._fmt_seen = False

    def feed(self, chunk: bytes) -> bytes | None:
        self._buffer += chunk
        buffer = self._buffer
        while self._offset + _CHUNK_HEADER_BYTES <= len(buffer):
            chunk_id = bytes(buffer[self._offset:self._offset + 4])
            size = struct.unpack_from("<I", buffer, self._offset + 4)[0]
            payload = self._offset + _CHUNK_HEADER_BYTES
            self._chunks += 1
            if chunk_id == b"data":
                if not self._fmt_seen:
                    raise StreamFormatError("the stream starts like a WAV file but its data chunk comes before any "
                                            "fmt chunk; " + ("send a valid WAV header, or raw PCM16 without one"
                                                             if self._check_fmt_chunk else "re-export the file"))
                return bytes(buffer[payload:])
            if self._chunks > MAX_WAV_HEADER_CHUNKS:
                raise StreamFormatError(f"the stream's WAV header has more than {MAX_WAV_HEADER_CHUNKS} chunks "
                                        f"before its data chunk; {self._fix}")
            end = payload + size + (size & 1)  # chunks are padded to an even size
            if end + _CHUNK_HEADER_BYTES > MAX_WAV_HEADER_BYTES:
                raise StreamFormatError(
                    f"the stream's WAV header is larger than {MAX_WAV_HEADER_BYTES} bytes (its {_printable(chunk_id)} "
                    f"chunk at byte {self._offset} declares {size} bytes); {self._fix}")
            if chunk_id == b"fmt ":
                if len(buffer) < payload + size:
                    return None  # wait for the whole fmt chunk
                if self._check_fmt_chunk:
                    self._check_fmt(bytes(buffer[payload:payload + size]))
                self._fmt_seen = True
            self._offset = end
        return None

    def incomplete_reason(self) -> str:
        """Why the header is not complete yet, for the error when the stream ends here."""
        wanted = "its fmt chunk" if not self._fmt_seen else "its data chunk"
        return (f"the stream ended inside its WAV header ({len(self._buffer)} bytes received, {wanted} missing); "
                "send the whole file, or raw PCM16 without a header")

    def _check_fmt(self, fmt: bytes) -> None:
        if len(fmt) < _PCM_FMT_BYTES:
            raise StreamFormatError(f"the stream's WAV fmt chunk is {len(fmt)} bytes; a PCM fmt chunk has at least "
                                    f"{_PCM_FMT_BYTES}: fix the header or send the file as ENCODED")
        audio_format, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
        if audio_format == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= _EXTENSIBLE_FMT_BYTES:
            audio_format = struct.unpack_from("<H", fmt, 24)[0]  # the sub-format GUID starts with the format tag
        if audio_format != _WAVE_FORMAT_PCM:
            raise StreamFormatError(f"the stream is a WAV file in format {audio_format:#06x}, not PCM; send it with "
                                    "encoding ENCODED")
        if channels == 0 or rate == 0:
            raise StreamFormatError(f"the stream's WAV header declares {channels} channel(s) at {rate} Hz; fix the "
                                    "header (at least 1 channel, a real sample rate) or send raw PCM16 without it")
        if bits != 16:
            raise StreamFormatError(f"the stream is a WAV file of {bits}-bit samples; LINEAR16 is 16-bit PCM: "
                                    "send the file with encoding ENCODED")
        if rate != self._sample_rate or channels != self._channels:
            raise StreamFormatError(
                f"the stream is a WAV file of {rate} Hz, {channels} channel(s) but the config declared "
                f"{self._sample_rate} Hz, {self._channels} channel(s); declare the file's format or send "
                "it as ENCODED")


def _printable(chunk_id: bytes) -> str:
    return repr(chunk_id.decode("latin-1"))


def _could_be_wav(prefix: bytes) -> bool:
    """True while `prefix` (shorter than the RIFF preamble) could still grow into "RIFF<size>WAVE"."""
    return prefix[:4] == b"RIFF"[:len(prefix)] and prefix[8:] == b"WAVE"[:max(0, len(prefix) - 8)]


class Linear16Stream:
    """Raw PCM16 chunks -> 16 kHz mono float32. `push` returns the samples ready so far; `finish` the rest.

    A stream that starts with a RIFF/WAVE header (a .wav file sent as LINEAR16) has its header checked against
    the declared format (16-bit PCM, same rate and channels) and skipped; the header may arrive split over any
    number of messages. `push` costs O(len(chunk)): the header walk is bounded (MAX_WAV_HEADER_BYTES,
    MAX_WAV_HEADER_CHUNKS) and no byte is copied more than a constant number of times.
    """

    def __init__(self, sample_rate_hz: int, channels: int = 1):
        self.sample_rate, self.channels = check_declared_format(sample_rate_hz, channels)
        self._layout = "mono" if self.channels == 1 else "stereo"
        self._frame_bytes = 2 * self.channels
        self._pending = b""  # bytes of an incomplete frame (pcm) or of a possible RIFF preamble (sniffing)
        self._resampler = _Resampler()
        self._state = "sniff"  # "sniff" (first bytes) -> "header" (a WAV header) -> "pcm"
        self._header: _WavHeader | None = None
        self.bytes_received = 0

    def push(self, chunk: bytes) -> np.ndarray:
        self.bytes_received += len(chunk)
        if self._state == "sniff":
            data = self._pending + chunk
            self._pending = b""
            if len(data) < _RIFF_PREAMBLE_BYTES and _could_be_wav(data):
                self._pending = data  # too short to tell a WAV header from PCM samples yet
                return _EMPTY
            if data[:4] == b"RIFF":
                if data[8:12] != b"WAVE":
                    raise StreamFormatError("the stream is a RIFF file but not WAVE; send raw PCM16 as LINEAR16, "
                                            "or the file with encoding ENCODED")
                self._state, self._header = "header", _WavHeader(self.sample_rate, self.channels)
                chunk = data  # the header walk starts at the stream's first byte
            else:
                self._state = "pcm"
                return self._decode(data)
        if self._state == "header":
            pcm = self._header.feed(chunk)
            if pcm is None:
                return _EMPTY
            self._state, self._header = "pcm", None
            return self._decode(pcm)
        return self._decode(chunk)

    def finish(self) -> np.ndarray:
        """The samples still inside the resampler. Raises StreamFormatError when the stream ended inside a WAV
        header."""
        if self._state == "header":
            raise StreamFormatError(self._header.incomplete_reason())
        if self._state == "sniff" and self._pending[:4] == b"RIFF":
            raise StreamFormatError(f"the stream ended inside its WAV header ({len(self._pending)} bytes received); "
                                    "send the whole file, or raw PCM16 without a header")
        return self._resampler.push(None)

    def _decode(self, chunk: bytes) -> np.ndarray:
        """Samples of the complete frames in pending + chunk; keeps the incomplete frame's bytes."""
        data = self._pending + chunk if self._pending else chunk
        usable = len(data) - len(data) % self._frame_bytes
        self._pending = bytes(data[usable:])
        if not usable:
            return _EMPTY
        pcm = np.frombuffer(data, dtype="<i2", count=usable // 2).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout=self._layout)
        frame.sample_rate = self.sample_rate
        return self._resampler.push(frame)


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
        self._head = b""  # the first bytes, until they tell whether the stream is a WAV file
        self._wav_header: _WavHeader | None = None  # walks a WAV header within the bounds LINEAR16 uses
        self._header_done = False
        self._on_audio = on_audio
        self._declared_rate = declared_rate
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="encoded-stream", daemon=True)
        self._thread.start()

    def push(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        if not self._header_done:
            try:
                self._check_wav_header(chunk)
            except StreamFormatError:
                self.abort()
                raise
        self._pipe.write_bytes(chunk)

    def _check_wav_header(self, chunk: bytes) -> None:
        """A WAV file's header is walked here first, within MAX_WAV_HEADER_BYTES and MAX_WAV_HEADER_CHUNKS:
        FFmpeg's demuxer steps through a LIST chunk's claimed size even past the data it has, so a 2 KB
        stream whose LIST claims 2 GB kept the decoding thread busy for seconds (found by the fuzz bench)."""
        if self._wav_header is None:
            head = self._head + chunk
            if len(head) < _RIFF_PREAMBLE_BYTES and _could_be_wav(head):
                self._head = head
                return
            self._head = b""
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                self._header_done = True
                return
            self._wav_header = _WavHeader(0, 0, check_fmt=False)
            chunk = head
        if self._wav_header.feed(chunk) is not None:
            self._header_done, self._wav_header = True, None

    def finish(self, timeout: float = 60.0) -> None:
        self._pipe.close_input()
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        if self._thread.is_alive():
            raise AudioDecodeError(f"decoding the rest of the stream took longer than {timeout:g} s after its last "
                                   "message; send the audio in a simpler format (PCM wav, or LINEAR16)")

    def abort(self) -> None:
        """Stops decoding (the client went away)."""
        self._pipe.close_input()

    def _run(self) -> None:
        try:
            with av.open(self._pipe, mode="r", options={"probesize": "8192"}) as container:
                stream = decodable_audio_stream(container, "the audio stream")
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
        except BaseException as exc:  # a bug: surfaced by finish() instead of dying silently with the thread
            self.error = exc
