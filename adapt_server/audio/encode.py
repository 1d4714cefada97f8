"""Encode float32 samples into any container/codec FFmpeg can write (PyAV), in memory.

Used to deliver audio in the formats users ask for (and by tests and benchmarks to make fixtures in every
format intake must read). Adapt's own normalized storage is PCM16 WAV: see `adapt_server.audio.wav`.
The second half serves synthesized speech: the Synthesize API's encodings (wav, raw PCM16, G.711 mu-law,
Ogg/Opus) at any rate, as one file or as a stream of pieces.
"""
from __future__ import annotations

import io
import math
import struct
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from adapt_server.audio.wav import float_to_pcm16
from adapt_server.errors import InvalidArgument

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


# ---- speech output: the encodings the Synthesize API offers, unary and streaming -----------------------------
WAV, PCM16, MULAW, OGG_OPUS = "wav", "pcm16", "mulaw", "ogg_opus"
SPEECH_ENCODINGS = (WAV, PCM16, MULAW, OGG_OPUS)  # wav: PCM16 WAV; pcm16: raw little-endian PCM16; mulaw: raw
# G.711 mu-law bytes (telephony, 8 kHz by default); ogg_opus: Opus in an Ogg container
MIN_OUTPUT_RATE, MAX_OUTPUT_RATE = 8000, 48000  # Hz accepted for wav/pcm16/mulaw output
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)  # Hz libopus encodes at
OPUS_BIT_RATE = 32000  # bits/s: transparent enough for speech
MULAW_DEFAULT_RATE = 8000  # Hz: telephony
STREAMING_WAV_SIZE = 0xFFFFFFFF  # RIFF/data size of a streamed WAV whose length is unknown when its header goes out
MIME_TYPES = {WAV: "audio/wav", PCM16: "audio/L16", MULAW: "audio/basic", OGG_OPUS: "audio/ogg; codecs=opus"}
_MULAW_BIAS = 0x84 >> 2  # G.711 on 14-bit magnitudes: added before finding the segment
_MULAW_CLIP = 8159  # largest 14-bit magnitude coded


@dataclass(frozen=True)
class OutputFormat:
    """How synthesized speech is delivered: an encoding and the sample rate of the delivered audio."""

    encoding: str  # one of SPEECH_ENCODINGS
    sample_rate: int  # Hz of the delivered audio

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.encoding]


def output_format(encoding: str, sample_rate: int | None, source_rate: int) -> OutputFormat:
    """The checked OutputFormat for a request: `sample_rate` None or 0 means the voice's `source_rate`
    (8 kHz for mu-law, 48 kHz for Opus when the voice's rate is not an Opus rate)."""
    name = (encoding or WAV).lower()
    if name not in SPEECH_ENCODINGS:
        raise InvalidArgument(f"unsupported audio encoding {encoding!r}: use one of {', '.join(SPEECH_ENCODINGS)}")
    if sample_rate is not None and (isinstance(sample_rate, bool) or not isinstance(sample_rate, int)):
        raise InvalidArgument(f"sample rate must be an integer number of Hz, got {sample_rate!r}")
    if not sample_rate:
        if name == MULAW:
            sample_rate = MULAW_DEFAULT_RATE
        elif name == OGG_OPUS:
            sample_rate = source_rate if source_rate in OPUS_RATES else 48000
        else:
            sample_rate = source_rate
    if name == OGG_OPUS and sample_rate not in OPUS_RATES:
        raise InvalidArgument(f"Opus encodes at {', '.join(map(str, OPUS_RATES))} Hz, not {sample_rate}: pick one")
    if not MIN_OUTPUT_RATE <= sample_rate <= MAX_OUTPUT_RATE:
        raise InvalidArgument(f"sample rate {sample_rate} Hz is out of range: use {MIN_OUTPUT_RATE} to "
                              f"{MAX_OUTPUT_RATE} Hz")
    return OutputFormat(name, int(sample_rate))


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """float32 (m,) of float32 (n,) mono at `source_rate` Hz resampled to `target_rate` Hz (polyphase
    filter, scipy's Kaiser window); the same array when the rates are equal."""
    samples = np.asarray(samples, dtype=np.float32)
    if source_rate == target_rate or samples.size == 0:
        return samples
    from scipy.signal import resample_poly

    divisor = math.gcd(int(source_rate), int(target_rate))
    out = resample_poly(samples, target_rate // divisor, source_rate // divisor)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def mulaw_encode(samples: np.ndarray) -> bytes:
    """G.711 mu-law bytes (one per sample) of float32 (n,) samples in [-1, 1], as the ITU reference codes the
    14 most significant bits of the int16 sample (the same bytes as CPython's audioop.lin2ulaw)."""
    pcm14 = float_to_pcm16(samples).astype(np.int32) >> 2
    negative = pcm14 < 0
    magnitude = np.minimum(np.where(negative, -pcm14, pcm14), _MULAW_CLIP) + _MULAW_BIAS
    segment = np.floor(np.log2(magnitude)).astype(np.int32) - 5
    code = np.where(segment >= 8, 0x7F, (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F))  # 8: full scale
    return (code ^ np.where(negative, 0x7F, 0xFF)).astype(np.uint8).tobytes()


def wav_header(sample_rate: int, data_bytes: int = STREAMING_WAV_SIZE) -> bytes:
    """A 44-byte mono PCM16 WAV header; data_bytes STREAMING_WAV_SIZE marks a stream of unknown length."""
    riff = STREAMING_WAV_SIZE if data_bytes == STREAMING_WAV_SIZE else 36 + data_bytes
    return (b"RIFF" + struct.pack("<I", riff) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate,
            sample_rate * 2, 2, 16) + b"data" + struct.pack("<I", data_bytes))


def encode_speech(samples: np.ndarray, source_rate: int, fmt: OutputFormat) -> bytes:
    """The whole of float32 (n,) mono speech at `source_rate` Hz, delivered in `fmt` (one file or stream)."""
    encoder = SpeechStreamEncoder(fmt, source_rate, streaming=False)
    body = encoder.push(samples)
    return encoder.header(len(body)) + body + encoder.finish() if fmt.encoding == WAV else body + encoder.finish()


class SpeechStreamEncoder:
    """Encodes speech chunk by chunk: push() returns the bytes ready so far, finish() the rest.

    Concatenating every returned piece gives a valid stream: raw PCM16 / mu-law bytes; a WAV whose header
    (first piece) declares an unknown length; an Ogg/Opus file whose pages come out as the encoder fills them.
    Chunks are resampled one at a time: synthesized sentences start and end in silence, so the filter's edges
    fall on silence.
    """

    def __init__(self, fmt: OutputFormat, source_rate: int, streaming: bool = True):
        self.format = fmt
        self.source_rate = source_rate
        self._streaming = streaming
        self._started = False
        self._opus = _OggOpusWriter(fmt.sample_rate) if fmt.encoding == OGG_OPUS else None

    def header(self, data_bytes: int = STREAMING_WAV_SIZE) -> bytes:
        return wav_header(self.format.sample_rate, data_bytes)

    def push(self, samples: np.ndarray) -> bytes:
        audio = resample(samples, self.source_rate, self.format.sample_rate)
        first = not self._started
        self._started = True
        if self.format.encoding in (WAV, PCM16):
            body = float_to_pcm16(audio).tobytes()
            return (self.header() + body) if (self.format.encoding == WAV and first and self._streaming) else body
        if self.format.encoding == MULAW:
            return mulaw_encode(audio)
        return self._opus.push(audio)

    def finish(self) -> bytes:
        if self.format.encoding == WAV and self._streaming and not self._started:
            self._started = True
            return self.header()
        return self._opus.finish() if self._opus is not None else b""


class _OggOpusWriter:
    """libopus in an Ogg container (PyAV), writing into memory and handing out what was written so far."""

    def __init__(self, sample_rate: int):
        self.sample_rate = sample_rate
        self._buffer = io.BytesIO()
        self._read = 0
        self._container = av.open(self._buffer, mode="w", format="ogg")
        self._stream = self._container.add_stream("libopus", rate=sample_rate)
        self._stream.layout = "mono"
        self._stream.bit_rate = OPUS_BIT_RATE
        self._pts = 0

    def _take(self) -> bytes:
        data = self._buffer.getvalue()[self._read:]
        self._read += len(data)
        return data

    def push(self, audio: np.ndarray) -> bytes:
        if audio.size:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(audio[None]), format="fltp", layout="mono")
            frame.sample_rate = self.sample_rate
            frame.pts = self._pts
            frame.time_base = Fraction(1, self.sample_rate)
            self._pts += audio.size
            self._container.mux(self._stream.encode(frame))
        return self._take()

    def finish(self) -> bytes:
        self._container.mux(self._stream.encode(None))
        self._container.close()
        return self._take()
