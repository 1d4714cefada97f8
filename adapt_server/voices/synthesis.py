"""Speech synthesis use cases (the Speech API's Synthesize and StreamingSynthesize): resolve the voice (a stock
voice, a custom voice, or a deployment's "tts" route), refuse a revoked or unbuilt one, synthesize, encode.
Free of gRPC.

Everything a request can get wrong is checked before any synthesis: the text (tts/text.py), the speaking
rate, the voice, the output format. Custom voices' style packs are read from the blob store once and kept
(a small LRU shared by every thread). Streams send the first words of the first sentence as a chunk of their
own on voices whose first sentence would take long to synthesize (FIRST_WORDS: Kokoro), see
docs/voices.md for the measured effect.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from adapt_server.audio.encode import OutputFormat, SpeechStreamEncoder, encode_speech, output_format
from adapt_server.deploy.service import DeploymentService
from adapt_server.errors import FailedPrecondition, NotFound
from adapt_server.tts import catalog
from adapt_server.tts.kokoro import StylePack
from adapt_server.tts.synthesizer import Synthesizer, check_speed
from adapt_server.tts.text import check_text

FIRST_WORDS = {"kokoro": 3, "piper": 0}  # words of the first sentence streamed alone, per engine (0: whole)
PACK_CACHE_SIZE = 16  # custom voices' style packs kept in memory (256 KB each)

_packs: OrderedDict[str, StylePack] = OrderedDict()
_packs_lock = threading.Lock()


@dataclass(frozen=True)
class SynthesisRequest:
    """What a request asks for (the proto's SynthesizeRequest as plain values)."""
    text: str
    voice: str = ""            # a voice id; "" with no deployment: catalog.DEFAULT_VOICE
    deployment_id: str = ""    # or a deployment whose "tts" route names the voice
    encoding: str = "wav"      # audio/encode.py SPEECH_ENCODINGS
    sample_rate_hz: int = 0    # 0: the voice's rate (mu-law: 8 kHz)
    speaking_rate: float = 0.0  # 0: 1.0
    routing_key: str = ""


@dataclass(frozen=True)
class SynthesizedSpeech:
    audio: bytes
    voice_id: str
    format: OutputFormat
    duration_s: float          # seconds of speech
    processing_s: float        # synthesis + encoding wall seconds

    @property
    def realtime_factor(self) -> float:
        return self.processing_s / self.duration_s if self.duration_s > 0 else 0.0


@dataclass(frozen=True)
class SpeechChunk:
    audio: bytes               # the next bytes of the encoded stream
    index: int
    text: str
    start_s: float
    duration_s: float
    last: bool


@dataclass(frozen=True)
class SpeechStream:
    voice_id: str
    format: OutputFormat
    chunks: Iterator[SpeechChunk]  # blocking: each next() synthesizes; call it off the event loop


def _style_pack(blobs, sha256: str) -> StylePack:
    with _packs_lock:
        if sha256 in _packs:
            _packs.move_to_end(sha256)
            return _packs[sha256]
    pack = StylePack.from_bytes(blobs.read_bytes(sha256))
    with _packs_lock:
        _packs[sha256] = pack
        while len(_packs) > PACK_CACHE_SIZE:
            _packs.popitem(last=False)
    return pack


class SynthesisService:
    def __init__(self, store, deployments: DeploymentService):
        self.store = store
        self.deployments = deployments

    def resolve_voice(self, request: SynthesisRequest) -> str:
        """The voice id a request names, through the deployment's "tts" route when it names a deployment (its
        canary split applied, by routing_key when given)."""
        if request.deployment_id:
            return self.deployments.resolve(request.deployment_id, "tts", request.routing_key)
        return request.voice or catalog.DEFAULT_VOICE

    def synthesizer(self, voice_id: str) -> Synthesizer:
        """A loaded voice: stock, or custom (built, not revoked)."""
        if voice_id in catalog.stock_voice_ids():
            return catalog.load_stock_voice(voice_id)
        record = self.store.voices.get(voice_id)
        if record is None:
            raise NotFound(f"unknown voice {voice_id!r}: the stock voices are {', '.join(catalog.stock_voice_ids())}; "
                           "custom voices have the id CreateVoice returned (list voices to see them)")
        self.store.lineage.require_not_revoked(voice_id, "voice")
        if not record.built:
            raise FailedPrecondition(f"voice {voice_id} is {record.job.state}: it speaks once its build SUCCEEDED "
                                     "(client.voices.wait)" + (f"; its build failed: {record.job.error_message}"
                                                               if record.job.state == "FAILED" else ""))
        return catalog.load_custom_voice(voice_id, _style_pack(self.store.blobs, record.pack_sha256),
                                         description=f"custom voice {record.name}")

    def _prepare(self, request: SynthesisRequest) -> tuple[str, float, str, Synthesizer, OutputFormat]:
        text = check_text(request.text)
        speed = check_speed(request.speaking_rate or 1.0)
        voice_id = self.resolve_voice(request)
        voice = self.synthesizer(voice_id)
        fmt = output_format(request.encoding, request.sample_rate_hz or None, voice.info.sample_rate)
        return text, speed, voice_id, voice, fmt

    def synthesize(self, request: SynthesisRequest) -> SynthesizedSpeech:
        """The whole utterance, encoded."""
        text, speed, voice_id, voice, fmt = self._prepare(request)
        started = time.perf_counter()
        samples = voice.synthesize(text, speed=speed)
        audio = encode_speech(samples, voice.info.sample_rate, fmt)
        return SynthesizedSpeech(audio, voice_id, fmt, samples.size / voice.info.sample_rate,
                                 time.perf_counter() - started)

    def open_stream(self, request: SynthesisRequest) -> SpeechStream:
        """Checks the request and returns the stream of encoded chunks (nothing is synthesized yet)."""
        text, speed, voice_id, voice, fmt = self._prepare(request)
        chunks = voice.synthesize_stream(text, speed=speed, first_words=FIRST_WORDS.get(voice.info.engine, 0))
        return SpeechStream(voice_id, fmt, _encoded(chunks, SpeechStreamEncoder(fmt, voice.info.sample_rate)))


def _encoded(chunks, encoder: SpeechStreamEncoder) -> Iterator[SpeechChunk]:
    for chunk in chunks:
        audio = encoder.push(chunk.samples) + (encoder.finish() if chunk.last else b"")
        yield SpeechChunk(audio, chunk.index, chunk.text, chunk.start_s, chunk.duration_s, chunk.last)
