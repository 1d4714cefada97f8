"""Transcription use cases, shared by the Speech API and evaluations, so that the real-time factor an
evaluation reports comes from the same code path that serves: resolve the model, read the audio, run the
engine, time it (`transcribe`, the one timer). `SpeechService` is the use case the Speech API calls: a unary
transcription, or a stream opened as a `StreamSession` (session.py). Free of gRPC."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.audio.stream import Linear16Stream
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.deploy.service import DeploymentService
from adapt_server.engines.options import COMPUTE_TYPES, DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.protocol import Recognizer
from adapt_server.engines.registry import EngineRegistry
from adapt_server.engines.results import Transcription
from adapt_server.errors import InvalidArgument, NotFound
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.models.service import ModelService
from adapt_server.models.sources import model_source
from adapt_server.observability import metrics
from adapt_server.speech.session import StreamAudio, Streams, StreamSession
from adapt_server.speech.streaming import StreamingPolicy
from adapt_server.store.models import ModelRecord
from adapt_server.store.store import Store

DEFAULT_COMPUTE_TYPE = "int8"
STREAMING_BEAM_SIZE = 1  # streams decode greedily unless the config asks for beams (latency)
DEFAULT_ENDPOINT_SILENCE_S = 0.5
MAX_ENDPOINT_SILENCE_S = 5.0


@dataclass(frozen=True)
class Recognition:
    """What a request asks for (the proto's RecognitionConfig as plain values)."""
    model: str = ""
    deployment_id: str = ""
    beam_size: int = 0
    compute_type: str = ""
    disable_word_timestamps: bool = False
    initial_prompt: str = ""
    hotwords: str = ""
    temperatures: tuple[float, ...] = ()
    routing_key: str = ""   # with deployment_id: picks the canary side deterministically (deploy/routing.py)


@dataclass(frozen=True)
class AudioBytes:
    """Audio sent with a request: a file in any format, or raw PCM16 (linear16) at sample_rate_hz."""
    data: bytes
    linear16: bool = False
    sample_rate_hz: int = 0
    channels: int = 0


@dataclass(frozen=True)
class StoredRecording:
    """A recording of a dataset, transcribed from its normalized audio."""
    dataset_id: str
    recording_id: str


@dataclass(frozen=True)
class StreamConfig:
    """What a stream asks for (the proto's StreamingConfig as plain values)."""
    recognition: Recognition
    audio: StreamAudio
    endpoint_silence_s: float = 0.0  # trailing silence that ends an utterance (0: the default)
    interim_results: bool = True


@dataclass(frozen=True)
class TimedTranscription:
    transcription: Transcription
    model_id: str
    duration_s: float      # audio seconds
    processing_s: float    # wall seconds on the server: audio decoding + recognition

    @property
    def realtime_factor(self) -> float:
        return self.processing_s / self.duration_s if self.duration_s > 0 else 0.0


def decode_options(recognition: Recognition, streaming: bool = False) -> DecodeOptions:
    """DecodeOptions from a request; INVALID_ARGUMENT naming the field when out of range."""
    options = DecodeOptions()
    changes: dict = {"word_timestamps": not recognition.disable_word_timestamps}
    if recognition.beam_size:
        changes["beam_size"] = recognition.beam_size
    elif streaming:
        changes["beam_size"] = STREAMING_BEAM_SIZE
    if recognition.initial_prompt:
        changes["initial_prompt"] = recognition.initial_prompt
    if recognition.hotwords:
        changes["hotwords"] = recognition.hotwords
    if recognition.temperatures:
        changes["temperatures"] = tuple(float(t) for t in recognition.temperatures)
    try:
        return replace(options, **changes).validate()
    except InvalidDecodeOptions as exc:
        raise InvalidArgument(f"config.{exc}") from None


def compute_type(recognition: Recognition) -> str:
    value = recognition.compute_type or DEFAULT_COMPUTE_TYPE
    if value not in COMPUTE_TYPES:
        raise InvalidArgument(f"config.compute_type {value!r} is not one of {list(COMPUTE_TYPES)}")
    return value


def audio_from_bytes(data: bytes, linear16: bool, sample_rate_hz: int, channels: int) -> np.ndarray:
    """16 kHz mono float32 (n,) from request bytes: a file in any format, or raw PCM16 (LINEAR16)."""
    if not data:
        raise InvalidArgument("audio is empty: send the bytes of an audio file (or raw PCM16 with LINEAR16)")
    try:
        if linear16:
            stream = Linear16Stream(sample_rate_hz, channels)
            samples = np.concatenate([stream.push(data), stream.finish()])
        else:
            decoded = decode_audio(data)
            if sample_rate_hz and decoded.info.sample_rate != sample_rate_hz:
                raise AudioDecodeError(f"the audio is {decoded.info.sample_rate} Hz but sample_rate_hz declared "
                                       f"{sample_rate_hz}; fix the declaration or leave it 0")
            samples = decoded.samples[0]
    except AudioDecodeError as exc:
        raise InvalidArgument(f"audio: {exc}") from None
    if samples.size < TARGET_SAMPLE_RATE // 100:
        raise InvalidArgument("audio: shorter than 10 ms; send at least some speech")
    return samples


def audio_from_recording(store, dataset_id: str, recording_id: str) -> np.ndarray:
    """The normalized audio of a stored recording."""
    recording = next((r for r in store.datasets.recordings(dataset_id) if r.id == recording_id), None)
    if recording is None:
        raise NotFound(f"recording {recording_id!r} is not in dataset {dataset_id!r}; list its recordings")
    samples, _ = read_pcm16_wav(store.blobs.path(recording.audio_sha256))
    return samples


def transcribe(engine, model_id: str, load_audio, options: DecodeOptions) -> TimedTranscription:
    """Times the whole request path: `load_audio()` (decode) + `engine.transcribe`. The one place RTF is measured."""
    started = time.perf_counter()
    audio = load_audio()
    transcription = engine.transcribe(audio, options)
    return TimedTranscription(transcription, model_id, audio.size / TARGET_SAMPLE_RATE,
                              time.perf_counter() - started)


class SpeechService:
    """The Speech use cases over one thread's store. engines and streams are the server's, shared by every thread
    (the registry is thread-safe; streams' counters change on the event loop only)."""

    def __init__(self, store: Store, models: ModelService, deployments: DeploymentService, engines: EngineRegistry,
                 streams: Streams):
        self.store = store
        self.models = models
        self.deployments = deployments
        self.engines = engines
        self.streams = streams

    def resolve_model(self, recognition: Recognition) -> ModelRecord:
        """The model a request names (default: the bundled base model).

        With `deployment_id`, the deployment's "stt" route decides, at this moment: its canary split applies
        (by `routing_key` when given, else at random per request). A stream resolves once, when it starts, and
        keeps that engine to its end, so a promotion never swaps the model under a stream in flight.
        """
        if recognition.deployment_id:
            if recognition.model:
                raise InvalidArgument(f"config names both model {recognition.model!r} and deployment "
                                      f"{recognition.deployment_id!r}; give one of them")
            model_id = self.deployments.resolve(recognition.deployment_id, "stt", recognition.routing_key)
            return self.models.get(model_id)
        return self.models.get(recognition.model or BUNDLED_BASE_MODEL)

    def engine(self, recognition: Recognition) -> tuple[ModelRecord, Recognizer]:
        """The request's model and its loaded engine (loaded on first use)."""
        record = self.resolve_model(recognition)
        return record, self.engines.get(model_source(record), compute_type(recognition))

    def transcribe(self, recognition: Recognition, audio: AudioBytes | StoredRecording) -> TimedTranscription:
        """A unary transcription, timed from reading the audio to the transcript."""
        options = decode_options(recognition)
        record, engine = self.engine(recognition)
        timed = transcribe(engine, record.id, self._loader(audio), options)
        metrics.real_time_factor(record.id, "speech", timed.processing_s, timed.duration_s)
        return timed

    def open_stream(self, config: StreamConfig) -> StreamSession:
        """Validates a stream's config, resolves its model once and loads the engine; the session then decodes
        the stream's audio (`StreamSession.results`)."""
        options = decode_options(config.recognition, streaming=True)
        interim_options = decode_options(replace(config.recognition, disable_word_timestamps=True), streaming=True)
        silence = config.endpoint_silence_s or DEFAULT_ENDPOINT_SILENCE_S
        if not 0.1 <= silence <= MAX_ENDPOINT_SILENCE_S:
            raise InvalidArgument(f"endpoint_silence_s must be between 0.1 and {MAX_ENDPOINT_SILENCE_S} s; "
                                  f"got {silence}")
        record, engine = self.engine(config.recognition)
        policy = StreamingPolicy(endpoint_silence_s=silence, interim_results=config.interim_results)
        return StreamSession(engine, record.id, options, interim_options, policy, config.audio, self.streams)

    def loaded_models(self) -> list[str]:
        """"model/compute type" of every engine loaded now, least recently used first."""
        return [f"{model}/{compute}" for model, compute in self.engines.loaded()]

    def _loader(self, audio: AudioBytes | StoredRecording) -> Callable[[], np.ndarray]:
        if isinstance(audio, StoredRecording):
            return lambda: audio_from_recording(self.store, audio.dataset_id, audio.recording_id)
        if audio.linear16 and not audio.sample_rate_hz:
            raise InvalidArgument("sample_rate_hz is required with encoding LINEAR16 (e.g. 16000)")
        return lambda: audio_from_bytes(audio.data, audio.linear16, audio.sample_rate_hz, audio.channels)
