"""client.speech: transcribe (unary) and stream (bidirectional) against a model or a deployment; synthesize
(unary) and synthesize_stream (server streaming) with a voice or a deployment (adapt/_synthesis.py)."""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from adapt import _synthesis
from adapt.errors import InvalidArgumentError
from adapt.v1 import speech_pb2, speech_pb2_grpc

ENCODINGS = {"": speech_pb2.AUDIO_ENCODING_UNSPECIFIED, "encoded": speech_pb2.ENCODED,
             "linear16": speech_pb2.LINEAR16}


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    confidence: float


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    confidence: float
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float


@dataclass(frozen=True)
class Transcript:
    model: str
    text: str
    segments: tuple[Segment, ...]
    non_speech: tuple[tuple[float, float], ...]
    duration_s: float
    processing_s: float
    realtime_factor: float
    language: str = ""  # the language transcribed (asked for, or detected by the model)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)


@dataclass(frozen=True)
class StreamingResult:
    is_final: bool
    text: str
    stable_text: str
    words: tuple[Word, ...]
    start: float
    end: float
    utterance_index: int
    model: str
    audio_received_s: float
    confidence: float
    language: str = ""  # the language transcribed (asked for, or detected by the model)


def _words(ws) -> tuple[Word, ...]:
    return tuple(Word(w.start, w.end, w.text, w.confidence) for w in ws)


def _transcript(m) -> Transcript:
    return Transcript(m.model, m.text, tuple(Segment(s.start, s.end, s.text, _words(s.words), s.confidence,
                                                     s.avg_logprob, s.no_speech_prob, s.compression_ratio,
                                                     s.temperature) for s in m.segments),
                      tuple((r.start, r.end) for r in m.non_speech), m.duration_s, m.processing_s, m.realtime_factor,
                      m.language)


def _recognition(model, deployment_id, beam_size, compute_type, word_timestamps, initial_prompt, hotwords,
                 temperatures, routing_key: str = "", language: str = "") -> speech_pb2.RecognitionConfig:
    return speech_pb2.RecognitionConfig(model=model, deployment_id=deployment_id, beam_size=beam_size,
                                        compute_type=compute_type, disable_word_timestamps=not word_timestamps,
                                        initial_prompt=initial_prompt, hotwords=hotwords,
                                        temperatures=list(temperatures), routing_key=routing_key,
                                        language=language)


def _encoding(name: str) -> int:
    try:
        return ENCODINGS[name.lower()]
    except KeyError:
        raise InvalidArgumentError(f"encoding must be one of {sorted(k for k in ENCODINGS if k)}; got {name!r}")


class SpeechAPI:
    def __init__(self, client):
        self._rpc = client._rpc
        self._stub = speech_pb2_grpc.SpeechStub(client._rpc.channel)

    def transcribe(self, audio: bytes | str | Path | None = None, *, model: str = "", deployment_id: str = "",
                   recording: tuple[str, str] | None = None, beam_size: int = 0, compute_type: str = "",
                   word_timestamps: bool = True, initial_prompt: str = "", hotwords: str = "",
                   temperatures: Iterable[float] = (), encoding: str = "", sample_rate_hz: int = 0,
                   channels: int = 0, timeout: float | None = 600, routing_key: str = "",
                   language: str = "") -> Transcript:
        """Transcribes audio bytes or a file path (read here and sent), or a stored recording
        (`recording=(dataset_id, recording_id)`). encoding="linear16" sends raw PCM16 at sample_rate_hz.
        routing_key (with deployment_id): the same key always takes the same side of a canary.
        language: the code spoken ("en", "de", ...); "" lets the model detect it (Transcript.language says)."""
        request = speech_pb2.TranscribeRequest(
            config=_recognition(model, deployment_id, beam_size, compute_type, word_timestamps, initial_prompt,
                                hotwords, temperatures, routing_key, language),
            encoding=_encoding(encoding), sample_rate_hz=sample_rate_hz, channels=channels)
        if recording is not None:
            request.recording.dataset_id, request.recording.recording_id = recording
        elif isinstance(audio, (str, Path)):
            request.audio = Path(audio).read_bytes()
        elif isinstance(audio, (bytes, bytearray, memoryview)):
            request.audio = bytes(audio)
        else:
            raise InvalidArgumentError("pass audio (bytes or a file path) or recording=(dataset_id, recording_id)")
        return _transcript(self._rpc.unary(self._stub.Transcribe, request, timeout=timeout))

    def stream(self, chunks: Iterable[bytes], *, sample_rate_hz: int = 16000, encoding: str = "linear16",
               channels: int = 1, interim_results: bool = True, endpoint_silence_s: float = 0.0, model: str = "",
               deployment_id: str = "", beam_size: int = 0, compute_type: str = "", word_timestamps: bool = True,
               initial_prompt: str = "", hotwords: str = "", timeout: float | None = None,
               routing_key: str = "", language: str = "") -> Iterator[StreamingResult]:
        """Streams audio `chunks` (raw PCM16 at sample_rate_hz, or pieces of a file with encoding="encoded")
        and yields interim and final results as the server produces them."""
        config = speech_pb2.StreamingConfig(
            recognition=_recognition(model, deployment_id, beam_size, compute_type, word_timestamps,
                                     initial_prompt, hotwords, (), routing_key, language),
            encoding=_encoding(encoding), sample_rate_hz=sample_rate_hz, channels=channels,
            disable_interim_results=not interim_results, endpoint_silence_s=endpoint_silence_s)

        def requests():
            yield speech_pb2.StreamingTranscribeRequest(config=config)
            for chunk in chunks:
                yield speech_pb2.StreamingTranscribeRequest(audio=bytes(chunk))

        for m in self._rpc.stream(self._stub.StreamingTranscribe, requests(), timeout=timeout):
            yield StreamingResult(m.is_final, m.text, m.stable_text, _words(m.words), m.start, m.end,
                                  m.utterance_index, m.model, m.audio_received_s, m.confidence, m.language)


    def synthesize(self, text: str, *, voice: str = "", deployment_id: str = "", encoding: str = "wav",
                   sample_rate_hz: int = 0, speaking_rate: float = 1.0, routing_key: str = "",
                   timeout: float | None = 600) -> _synthesis.Speech:
        """Speaks `text` with `voice` (a stock voice such as "kokoro-jm_kumo" or "piper-joe", or a custom voice's
        id; default: the server's) or the "tts" route of `deployment_id`. encoding: "wav", "pcm16", "mulaw"
        (8 kHz unless sample_rate_hz says otherwise) or "ogg_opus"; speaking_rate 0.5..2.0."""
        request = _synthesis.synthesize_request(text, voice, deployment_id, encoding, sample_rate_hz, speaking_rate,
                                                routing_key)
        return _synthesis.speech_from(self._rpc.unary(self._stub.Synthesize, request, timeout=timeout))

    def synthesize_stream(self, text: str, *, voice: str = "", deployment_id: str = "", encoding: str = "wav",
                          sample_rate_hz: int = 0, speaking_rate: float = 1.0, routing_key: str = "",
                          timeout: float | None = None) -> Iterator[_synthesis.SpeechChunk]:
        """The same speech as chunks, each as soon as the server synthesized it (sentence by sentence; the
        first words of the first sentence come alone on Kokoro voices); b"".join(c.audio for c in chunks) is
        one file of `encoding`."""
        request = _synthesis.synthesize_request(text, voice, deployment_id, encoding, sample_rate_hz, speaking_rate,
                                                routing_key)
        yield from _synthesis.chunks_from(self._rpc.stream(self._stub.StreamingSynthesize, request, timeout=timeout))


def paced(pcm16: bytes, sample_rate_hz: int, chunk_s: float = 0.1, channels: int = 1) -> Iterator[bytes]:
    """Yields raw PCM16 in `chunk_s` pieces at real-time pace (as a microphone or a phone line would)."""
    step = int(sample_rate_hz * chunk_s) * 2 * channels
    started = time.monotonic()
    for i, offset in enumerate(range(0, len(pcm16), step)):
        delay = started + i * chunk_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield pcm16[offset:offset + step]
