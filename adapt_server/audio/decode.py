"""Decode any audio FFmpeg can read (PyAV) into float32 samples at one target rate.

Covers wav (PCM, mu-law, A-law), flac, mp3, ogg/opus/vorbis, m4a/aac, NIST sphere (PCM and mu-law; not
shorten-compressed), telephony 8 kHz files and multi-channel recordings. Resampling, sample-format conversion
and the mono downmix all happen inside libswresample (PyAV's `AudioResampler`, the same code the `ffmpeg` CLI
runs); Python only moves large chunks between FFmpeg calls.

Speed notes (measured on a 2-core machine):
* libswresample is fastest on chunks of ~16-64 k samples and slows down sharply on multi-million-sample
  frames, so decoded frames go through an `AudioFifo` and reach it `_RESAMPLE_CHUNK_SAMPLES` at a time.
* FFmpeg's wav demuxer cuts PCM into 4 KiB packets by default, and per-packet Python overhead then
  dominates an 8 kHz mu-law file: packets are raised to `_WAV_MAX_PACKET_BYTES`.
* FFmpeg's default 5 MB probe buffers a PCM s16le wav far into the file (to rule out DTS-in-WAV); opening
  first with a 32 KiB probe (`_FAST_OPEN_OPTIONS`) and falling back to the defaults when that finds no
  complete audio stream cuts opening a 16 kHz wav from ~3 ms (~80 ms with large packets) to ~0.1 ms.
A 10-minute 8 kHz mu-law wav decodes to 16 kHz in about 40 ms, a 10-minute 16 kHz PCM wav in about 25 ms.
"""
from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import av
import numpy as np

from adapt_server.audio.constants import MAX_DURATION_S, TARGET_SAMPLE_RATE

_RESAMPLE_CHUNK_SAMPLES = 65536  # source samples per libswresample call (fast range: 16 k - 64 k)
_WAV_MAX_PACKET_BYTES = 65536  # FFmpeg wav demuxer option "max_size" (default 4096 bytes per packet)
_PROBE_BYTES = 32768  # FFmpeg "probesize" for the first open attempt (default 5 MB)
# First attempt at opening: larger wav packets, and a short probe. FFmpeg's default probe keeps buffering a
# PCM s16le stream (checking it for DTS-in-WAV) far into the file, which costs more than decoding it.
_FAST_OPEN_OPTIONS = {"max_size": str(_WAV_MAX_PACKET_BYTES), "probesize": str(_PROBE_BYTES)}
# libswresample options for the downmix: normalize the rematrix so no output can exceed full scale; for
# stereo -> mono this is exactly (L + R) / 2, the same matrix the ffmpeg CLI uses for `-ac 1`.
_DOWNMIX_OPTIONS = {"rematrix_maxval": "1.0"}

# Source sample rates decoded (Hz). Outside them a header is lying or the audio is useless for speech, and
# the cost explodes: libswresample took 8 s to set up 598 MHz -> 16 kHz for a 2 KB file, and a 1 Hz header
# turns each input sample into 16,000 output samples (both found by the fuzz bench).
MIN_SOURCE_SAMPLE_RATE = 4000  # Hz: below telephony's 8 kHz, 2 kHz of bandwidth
MAX_SOURCE_SAMPLE_RATE = 768000  # Hz: the highest rate in use (DXD-class PCM)

RIFF_PREFIX_BYTES = 65536  # bytes of a WAV file's start checked for impossible chunk sizes
RIFF_MAX_CHUNKS = 64  # chunks checked there

AudioSource = str | Path | bytes | bytearray | memoryview | BinaryIO


class AudioDecodeError(ValueError):
    """The input cannot be decoded as audio; the message names the input and what is wrong."""


def check_source_sample_rate(rate: int, name: str) -> None:
    """AudioDecodeError unless MIN_SOURCE_SAMPLE_RATE <= `rate` (Hz) <= MAX_SOURCE_SAMPLE_RATE."""
    if not MIN_SOURCE_SAMPLE_RATE <= rate <= MAX_SOURCE_SAMPLE_RATE:
        raise AudioDecodeError(f"{name}: the audio is declared at {rate} Hz; Adapt decodes audio sampled at "
                               f"{MIN_SOURCE_SAMPLE_RATE} to {MAX_SOURCE_SAMPLE_RATE} Hz: fix the header or "
                               "re-export the file")


@dataclass(frozen=True)
class AudioInfo:
    """What the source was, as FFmpeg saw it."""

    container: str  # FFmpeg demuxer name, e.g. "wav", "mp3", "ogg", "nistsphere", "mov,mp4,m4a,3gp,3g2,mj2"
    codec: str  # FFmpeg codec name, e.g. "pcm_s16le", "pcm_mulaw", "mp3", "opus", "aac", "flac"
    sample_rate: int  # Hz, of the source stream
    channels: int  # channels of the source stream
    duration_s: float  # seconds of audio actually decoded (source samples / sample_rate)
    declared_duration_s: float | None  # seconds the container header claims; None when it says nothing
    corrupt_packets_skipped: int = 0  # packets the decoder rejected (only with decode_audio(strict=False))

    @property
    def looks_truncated(self) -> bool:
        """True when the header promised more than 1 s (and 1 %) more audio than could be decoded."""
        if self.declared_duration_s is None:
            return False
        missing_s = self.declared_duration_s - self.duration_s
        return missing_s > max(1.0, 0.01 * self.declared_duration_s)


@dataclass(frozen=True)
class DecodedAudio:
    """Decoded audio: `samples` float32, shape (channels, n_samples), nominally in [-1, 1], at `sample_rate` Hz.

    `channels` is 1 after the default downmix, the source's channel count with `keep_channels=True`.
    """

    samples: np.ndarray  # float32, shape (channels, n_samples)
    sample_rate: int  # Hz, of `samples`
    info: AudioInfo  # the source

    @property
    def duration_s(self) -> float:
        """Seconds of audio in `samples`."""
        return self.samples.shape[1] / self.sample_rate

    @property
    def mono(self) -> np.ndarray:
        """float32, shape (n_samples,): the single channel; raises ValueError for multi-channel audio."""
        if self.samples.shape[0] != 1:
            raise ValueError(f"audio has {self.samples.shape[0]} channels; decode without keep_channels for mono")
        return self.samples[0]


def decode_audio(
    source: AudioSource,
    *,
    sample_rate: int = TARGET_SAMPLE_RATE,
    keep_channels: bool = False,
    max_duration_s: float = MAX_DURATION_S,
    strict: bool = True,
) -> DecodedAudio:
    """Decode `source` (a path, the file's bytes, or a binary file object) to float32 at `sample_rate` Hz.

    Multi-channel audio is downmixed to mono by libswresample (stereo: (L + R) / 2) unless `keep_channels`,
    which returns every source channel. With `strict` (default) any packet the decoder rejects raises
    AudioDecodeError; with `strict=False` such packets are skipped as the ffmpeg CLI does and counted in
    `info.corrupt_packets_skipped`. A file cut short without a decode error (a truncated wav or mp3) is not an
    error either way; `info.looks_truncated` compares the decoded length with the header's.

    Raises `AudioDecodeError` for empty, non-audio, corrupt input and for audio longer than `max_duration_s`
    seconds; `FileNotFoundError` for a missing path.
    """
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive number of Hz, got {sample_rate}")
    name = _describe(source)
    container, stream = _open_audio(source, name)
    try:
        codec = stream.codec_context.codec.canonical_name
        resampler = _ChunkedResampler(sample_rate, downmix=not keep_channels, name=name)
        skipped = 0
        for frames in _decoded_packets(container, stream):
            if isinstance(frames, av.FFmpegError):
                if strict:
                    raise AudioDecodeError(
                        f"{name}: truncated/corrupt: the {codec} decoder failed after "
                        f"{resampler.source_duration_s:.2f} s of audio ({_reason(frames)}); "
                        f"re-export the file or decode with strict=False to skip bad packets"
                    ) from frames
                skipped += 1
                continue
            for frame in frames:
                if frame.samples:
                    resampler.push(frame)
            if resampler.source_duration_s > max_duration_s:
                raise AudioDecodeError(
                    f"{name}: longer than the {max_duration_s:g} s limit (max_duration_s); "
                    f"split the recording or raise the limit"
                )
        samples = resampler.finish()
        if samples.shape[1] == 0:
            raise AudioDecodeError(f"{name}: empty: 0 samples of audio decoded")
        info = AudioInfo(
            container=container.format.name,
            codec=codec,
            sample_rate=int(stream.codec_context.sample_rate or resampler.last_source_rate),
            channels=int(stream.codec_context.channels or resampler.last_source_channels),
            duration_s=resampler.source_duration_s,
            declared_duration_s=_declared_duration_s(container, stream),
            corrupt_packets_skipped=skipped,
        )
        return DecodedAudio(samples=samples, sample_rate=sample_rate, info=info)
    except av.FFmpegError as error:  # from libswresample: not the input's fault, but still this input's error
        raise AudioDecodeError(f"{name}: cannot convert the decoded audio: {_reason(error)}") from error
    finally:
        container.close()


def _decoded_packets(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream
) -> Iterator[list[av.AudioFrame] | av.FFmpegError]:
    """Per packet, the frames it decoded to, or the FFmpegError the decoder raised on it.

    A demuxer error ends the iteration after yielding it (demuxers cannot resume after one).
    """
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except av.FFmpegError as error:
            yield error
            return
        try:
            frames = packet.decode()
        except av.FFmpegError as error:
            yield error
            continue
        yield frames


class _ChunkedResampler:
    """Collects decoded frames in an `AudioFifo` and converts them in large chunks with libswresample.

    Output: float32, shape (channels, n) at `rate` Hz; channels = 1 when `downmix`, else the source's.
    A change of format, rate or layout mid-stream (chained ogg, odd mp3) flushes and starts a new chain.
    """

    def __init__(self, rate: int, *, downmix: bool, name: str):
        self._name = name  # the input, for error messages
        self._rate = rate
        self._downmix = downmix
        self._key: tuple | None = None
        self._fifo: av.AudioFifo | None = None
        self._resampler: av.AudioResampler | None = None
        self._downmix_in_numpy = False
        self._chunks: list[np.ndarray] = []  # float32, shape (channels, n) each
        self._finished_chains_s = 0.0  # seconds of source audio in chains that ended (format/rate changes)
        self._chain_samples = 0  # source samples pushed into the current chain
        self.last_source_rate = 0  # Hz of the last frame pushed
        self.last_source_channels = 0  # channels of the last frame pushed

    def push(self, frame: av.AudioFrame) -> None:
        key = (frame.format.name, frame.sample_rate, frame.layout.name)
        if key != self._key:
            check_source_sample_rate(frame.sample_rate, self._name)
            self._drain()
            self._finished_chains_s = self.source_duration_s
            self._chain_samples = 0
            self._start(frame, key)
        frame.pts = None  # the fifo checks timestamp continuity; gaps and jitter are not our business here
        self._fifo.write(frame)
        self._chain_samples += frame.samples
        self.last_source_rate = frame.sample_rate
        self.last_source_channels = frame.layout.nb_channels
        while self._fifo.samples >= _RESAMPLE_CHUNK_SAMPLES:
            self._convert(self._fifo.read(_RESAMPLE_CHUNK_SAMPLES))

    @property
    def source_duration_s(self) -> float:
        """Seconds of source audio pushed so far."""
        if not self.last_source_rate:
            return self._finished_chains_s
        return self._finished_chains_s + self._chain_samples / self.last_source_rate

    def finish(self) -> np.ndarray:
        """All converted audio: float32, shape (channels, n_samples)."""
        self._drain()
        if not self._chunks:
            return np.zeros((1, 0), dtype=np.float32)
        widths = {chunk.shape[0] for chunk in self._chunks}
        if len(widths) > 1:
            raise AudioDecodeError(
                f"{self._name}: the channel count changes mid-stream ({sorted(widths)}); decode without keep_channels"
            )
        return np.concatenate(self._chunks, axis=1)

    def _start(self, frame: av.AudioFrame, key: tuple) -> None:
        self._key = key
        self._fifo = av.AudioFifo()
        layout = frame.layout
        # libswresample can only rematrix layouts whose channels it knows (not "3 channels", order unspecified):
        # those keep their channels through the resampler and are averaged in numpy instead.
        known_layout = all(channel.name != "NONE" and not channel.name.startswith("USR") for channel in layout.channels)
        self._downmix_in_numpy = self._downmix and layout.nb_channels > 1 and not known_layout
        # Packed "flt", de-interleaved in numpy: PyAV miscounts the planes of planar frames with 8 or more
        # channels (9 for 7.1) and `to_ndarray` then reads past the frame: a segfault for a WAV header that
        # claims 8 channels (found by tests/server/audio/test_decoders_fuzz.py).
        if self._downmix and not self._downmix_in_numpy:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=self._rate, options=_DOWNMIX_OPTIONS)
        else:
            self._resampler = av.AudioResampler(format="flt", layout=layout, rate=self._rate)

    def _convert(self, frame: av.AudioFrame | None) -> None:
        for converted in self._resampler.resample(frame):
            if converted is None:  # a passthrough resampler echoes the flush
                continue
            channels = converted.layout.nb_channels
            chunk = converted.to_ndarray().reshape(-1, channels).T  # float32 (channels, n) from packed flt
            if self._downmix_in_numpy:
                chunk = chunk.mean(axis=0, keepdims=True, dtype=np.float32)
            self._chunks.append(chunk)

    def _drain(self) -> None:
        if self._fifo is None:
            return
        rest = self._fifo.read()
        if rest is not None:
            self._convert(rest)
        self._convert(None)  # flush the resampler's delay line
        self._fifo = None
        self._resampler = None


def _describe(source: AudioSource) -> str:
    """A name for error messages: the path, the file object's name, or the byte count."""
    if isinstance(source, (str, Path)):
        return str(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes of audio>"
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<audio file object>"


def _open_audio(source: AudioSource, name: str) -> tuple[av.container.InputContainer, av.audio.stream.AudioStream]:
    """The opened container and its best audio stream.

    Probing is tried first with `_FAST_OPEN_OPTIONS`; if that finds no complete audio stream (or fails), the
    input is opened again with FFmpeg's defaults (not possible for a non-seekable file object).
    """
    target = _open_target(source, name)
    _check_riff_chunk_sizes(target, name)
    rewind = _rewinder(target)
    if rewind is not None:
        try:
            container = av.open(target, mode="r", options=_FAST_OPEN_OPTIONS, metadata_errors="ignore")
        except av.FFmpegError:
            container = None
        if container is not None:
            stream = _complete_audio_stream(container)
            if stream is not None:
                return container, stream
            container.close()
        rewind()
    try:
        container = av.open(target, mode="r", metadata_errors="ignore")
    except av.FFmpegError as error:
        raise AudioDecodeError(f"{name}: not an audio file (FFmpeg: {_reason(error)})") from error
    try:
        return container, decodable_audio_stream(container, name)
    except AudioDecodeError:
        container.close()
        raise


def decodable_audio_stream(container: av.container.InputContainer, name: str) -> av.audio.stream.AudioStream:
    """The best audio stream FFmpeg can decode, or AudioDecodeError saying why there is none.

    A header can name an audio stream that no decoder takes: a WAV with 0 channels (FFmpeg then finds no
    "best" stream), with 0 bits per sample or an unknown format tag (no codec), or with a sample rate outside
    MIN_SOURCE_SAMPLE_RATE..MAX_SOURCE_SAMPLE_RATE.
    """
    if not container.streams.audio:
        kinds = ", ".join(sorted({stream.type for stream in container.streams})) or "none"
        found = f"FFmpeg read it as '{container.format.name}' with streams: {kinds}"
        raise AudioDecodeError(f"{name}: no audio stream ({found})")
    stream = container.streams.best("audio") or container.streams.audio[0]
    context = stream.codec_context
    header = f"its {container.format.name} header"
    if context is None:
        raise AudioDecodeError(f"{name}: {header} describes audio that no decoder reads (an unknown format tag, or "
                               f"0 bits per sample); fix the header or re-export the file")
    if not context.channels:
        raise AudioDecodeError(f"{name}: {header} declares 0 audio channels; fix the header (1 or more channels) "
                               f"or re-export the file")
    check_source_sample_rate(context.sample_rate, name)
    return stream


def _open_target(source: AudioSource, name: str) -> str | BinaryIO:
    """What av.open takes: a path string or a binary file object; rejects missing and empty inputs."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"{name}: no such audio file")
        if path.stat().st_size == 0:
            raise AudioDecodeError(f"{name}: empty: the file has 0 bytes")
        return str(path)
    if isinstance(source, (bytes, bytearray, memoryview)):
        if len(source) == 0:
            raise AudioDecodeError(f"{name}: empty: 0 bytes")
        return io.BytesIO(bytes(source))
    return source


def _check_riff_chunk_sizes(target: str | BinaryIO, name: str) -> None:
    """AudioDecodeError for a RIFF/WAVE file whose header has a chunk before "data" that claims to end past
    the end of the file. FFmpeg's wav demuxer walks a LIST chunk's claimed size in steps of a few bytes even
    past the end: a 2 KB file whose LIST claims 2 GB cost ~3 s of CPU per open (found by the fuzz bench).
    Such a file has no reachable audio anyway. Checks the first RIFF_PREFIX_BYTES only; a non-seekable
    source is not checked (its size is unknown)."""
    if isinstance(target, str):
        total = os.path.getsize(target)
        with open(target, "rb") as f:
            prefix = f.read(RIFF_PREFIX_BYTES)
    else:
        try:
            if not target.seekable():
                return
            position = target.tell()
            total = target.seek(0, io.SEEK_END) - position
            target.seek(position)
            prefix = target.read(RIFF_PREFIX_BYTES)
            target.seek(position)
        except (AttributeError, OSError):
            return
    if prefix[:4] != b"RIFF" or prefix[8:12] != b"WAVE":
        return
    offset = 12
    for _ in range(RIFF_MAX_CHUNKS):
        if offset + 8 > len(prefix):
            return
        chunk_id, size = prefix[offset:offset + 4], struct.unpack_from("<I", prefix, offset + 4)[0]
        if chunk_id == b"data":
            return
        end = offset + 8 + size
        if end > total:
            raise AudioDecodeError(f"{name}: its WAV header's {chunk_id.decode('latin-1')!r} chunk at byte {offset} "
                                   f"claims {size} bytes but the file ends at byte {total}, before any audio; the "
                                   "file is damaged: re-export it")
        offset = end + (size & 1)


def _rewinder(target: str | BinaryIO):
    """A function that puts `target` back where it was for a second open, or None if it cannot."""
    if isinstance(target, str):
        return lambda: None
    try:
        if not target.seekable():
            return None
        position = target.tell()
    except (AttributeError, OSError):
        return None
    return lambda: target.seek(position)


def _complete_audio_stream(container: av.container.InputContainer) -> av.audio.stream.AudioStream | None:
    """The best audio stream if FFmpeg knows its sample rate and channel count, else None."""
    stream = container.streams.best("audio") if container.streams.audio else None
    context = stream.codec_context if stream is not None else None
    return stream if context is not None and context.sample_rate and context.channels else None


def _declared_duration_s(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    return None


def _reason(error: av.FFmpegError) -> str:
    """FFmpeg's own words for an error, without the file name PyAV appends."""
    return getattr(error, "strerror", None) or str(error)
