"""client.speech.synthesize / synthesize_stream: text to speech with a stock or custom voice, or a deployment's
"tts" route."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from adapt.errors import InvalidArgumentError
from adapt.v1 import speech_pb2

ENCODINGS = {"wav": speech_pb2.SPEECH_ENCODING_WAV, "pcm16": speech_pb2.SPEECH_ENCODING_PCM16,
             "mulaw": speech_pb2.SPEECH_ENCODING_MULAW, "ogg_opus": speech_pb2.SPEECH_ENCODING_OGG_OPUS}
EXTENSIONS = {".wav": "wav", ".pcm": "pcm16", ".raw": "pcm16", ".ulaw": "mulaw", ".mulaw": "mulaw", ".ogg": "ogg_opus",
              ".opus": "ogg_opus"}


def _encoding_name(value: int) -> str:
    return next((name for name, number in ENCODINGS.items() if number == value), "wav")


@dataclass(frozen=True)
class Speech:
    """A synthesized utterance."""
    audio: bytes                # the whole file / stream in `encoding`
    voice: str                  # the voice that spoke
    encoding: str               # "wav", "pcm16", "mulaw" or "ogg_opus"
    sample_rate_hz: int
    mime_type: str
    duration_s: float
    processing_s: float
    realtime_factor: float

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.audio)
        return path


@dataclass(frozen=True)
class SpeechChunk:
    """One piece of a streamed utterance: concatenating every chunk's `audio` gives the whole file."""
    audio: bytes
    index: int
    text: str                   # what this chunk speaks
    start_s: float
    duration_s: float
    last: bool
    voice: str
    encoding: str
    sample_rate_hz: int
    mime_type: str


def encoding_for(path: str | Path) -> str:
    """The encoding a file name suggests (.wav, .ogg/.opus, .pcm/.raw, .ulaw/.mulaw); wav otherwise."""
    return EXTENSIONS.get(Path(path).suffix.lower(), "wav")


def synthesize_request(text: str, voice: str, deployment_id: str, encoding: str, sample_rate_hz: int,
                       speaking_rate: float, routing_key: str) -> speech_pb2.SynthesizeRequest:
    if voice and deployment_id:
        raise InvalidArgumentError(f"give voice ({voice!r}) or deployment_id ({deployment_id!r}), not both")
    name = (encoding or "wav").lower()
    if name not in ENCODINGS:
        raise InvalidArgumentError(f"encoding must be one of {sorted(ENCODINGS)}; got {encoding!r}")
    request = speech_pb2.SynthesizeRequest(text=text, encoding=ENCODINGS[name], sample_rate_hz=sample_rate_hz,
                                           speaking_rate=speaking_rate, routing_key=routing_key)
    if deployment_id:
        request.deployment_id = deployment_id
    elif voice:
        request.voice = voice
    return request


def speech_from(m) -> Speech:
    return Speech(m.audio, m.voice, _encoding_name(m.encoding), m.sample_rate_hz, m.mime_type, m.duration_s,
                  m.processing_s, m.realtime_factor)


def chunks_from(messages) -> Iterator[SpeechChunk]:
    for m in messages:
        yield SpeechChunk(m.audio, m.index, m.text, m.start_s, m.duration_s, m.last, m.voice,
                          _encoding_name(m.encoding), m.sample_rate_hz, m.mime_type)
