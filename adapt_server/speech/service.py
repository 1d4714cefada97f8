"""Transcription use cases, shared by the Speech API and evaluations, so that the real-time factor an
evaluation reports comes from the same code path that serves: resolve the model, read the audio, run the
engine, time it (`transcribe`, the one timer). `SpeechService` is the use case the Speech API calls: a unary
transcription, or a stream opened as a `StreamSession` (session.py). Free of gRPC.

Cancellation: `SpeechService.transcribe` takes the request's token (cancel.py) and hands it to the engine
(`cancel=`), which checks it between VAD blocks, windows and batches; reading LINEAR16 audio checks it between
pieces. The unary path decodes in batches of SERVING_BATCH_SIZE windows, so one model call (the granularity of a
cancel) stays short: measured on this 2-core machine, batches of 2 gave the throughput of batches of 8 and
half the longest call."""
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
from adapt_server.engines.inputs import Cancel, check_cancelled
from adapt_server.engines.options import COMPUTE_TYPES, DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.protocol import Recognizer
from adapt_server.engines.registry import EngineRegistry
from adapt_server.engines.results import Transcription
from adapt_server.errors import InvalidArgument, NotFound, echo
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.models.loading import check_recognizer, load_recognizer, request_language
from adapt_server.models.service import ModelService
from adapt_server.observability import metrics
from adapt_server.speech.capacity import SpeechCapacity
from adapt_server.speech.session import StreamAudio, StreamSession
from adapt_server.speech.streaming import StreamingPolicy
from adapt_server.store.models import ModelRecord
from adapt_server.store.store import Store

DEFAULT_COMPUTE_TYPE = "int8"
STREAMING_BEAM_SIZE = 1  # streams decode greedily unless the config asks for beams (latency)
DEFAULT_ENDPOINT_SILENCE_S = 0.5
MAX_ENDPOINT_SILENCE_S = 5.0
SERVING_BATCH_SIZE = 2  # windows per model call on the unary path (a cancel takes effect between calls)
PCM_PIECE_BYTES = 1 << 20  # LINEAR16 request audio is resampled in pieces of this size, checking the token between


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
    language: str = ""      # language code spoken; "" lets the model detect it (models/loading.request_language)


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


def decode_options(recognition: Recognition, streaming: bool = False, language: str | None = None) -> DecodeOptions:
    """DecodeOptions from a request; INVALID_ARGUMENT naming the field when out of range. language: the one to
    decode in (default: the request's; "" detects)."""
    options = DecodeOptions()
    changes: dict = {"word_timestamps": not recognition.disable_word_timestamps,
                     "language": recognition.language if language is None else language}
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


def compute_type(recognition: Recognition, default: str = DEFAULT_COMPUTE_TYPE) -> str:
    """The request's CTranslate2 compute type (default: the registry's, int8 on CPU and float16 on CUDA)."""
    value = recognition.compute_type or default
    if value not in COMPUTE_TYPES:
        raise InvalidArgument(f"config.compute_type {echo(value)} is not one of {list(COMPUTE_TYPES)}")
    return value


def audio_from_bytes(data: bytes, linear16: bool, sample_rate_hz: int, channels: int,
                     cancel: Cancel = None) -> np.ndarray:
    """16 kHz mono float32 (n,) from request bytes: a file in any format, or raw PCM16 (LINEAR16)."""
    if not data:
        raise InvalidArgument("audio is empty: send the bytes of an audio file (or raw PCM16 with LINEAR16)")
    try:
        if linear16:
            stream = Linear16Stream(sample_rate_hz, channels)
            view = memoryview(data)
            pieces = []
            for first in range(0, len(view), PCM_PIECE_BYTES):
                check_cancelled(cancel)
                pieces.append(stream.push(bytes(view[first:first + PCM_PIECE_BYTES])))
            samples = np.concatenate(pieces + [stream.finish()])
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
        raise NotFound(f"recording {echo(recording_id)} is not in dataset {echo(dataset_id)}; list its recordings")
    samples, _ = read_pcm16_wav(store.blobs.path(recording.audio_sha256))
    return samples


def transcribe(engine, model_id: str, load_audio, options: DecodeOptions, *, cancel: Cancel = None,
               batch_size: int | None = None) -> TimedTranscription:
    """Times the whole request path: `load_audio()` (decode) + the engine. The one place RTF is measured.
    cancel: the request's token (None: runs to the end); batch_size: windows per model call (None: the
    engine's default)."""
    started = time.perf_counter()
    audio = load_audio()
    try:
        if cancel is None and batch_size is None:
            transcription = engine.transcribe(audio, options)
        else:
            extra = {"batch_size": batch_size} if batch_size is not None else {}
            transcription = engine.transcribe_batch([audio], options, cancel=cancel, **extra)[0]
    except InvalidDecodeOptions as exc:  # what only the engine knows (e.g. a language its vocabulary lacks)
        raise InvalidArgument(f"config.{exc}") from None
    if not transcription.language and options.language:
        transcription = replace(transcription, language=options.language)
    return TimedTranscription(transcription, model_id, audio.size / TARGET_SAMPLE_RATE,
                              time.perf_counter() - started)


class SpeechService:
    """The Speech use cases over one thread's store. engines and capacity are the server's, shared by every thread
    (the registry is thread-safe; capacity's stream count changes on the event loop only)."""

    def __init__(self, store: Store, models: ModelService, deployments: DeploymentService, engines: EngineRegistry,
                 capacity: SpeechCapacity):
        self.store = store
        self.models = models
        self.deployments = deployments
        self.engines = engines
        self.capacity = capacity

    def resolve_model(self, recognition: Recognition) -> ModelRecord:
        """The model a request names (default: the bundled base model).

        With `deployment_id`, the deployment's "stt" route decides, at this moment: its canary split applies
        (by `routing_key` when given, else at random per request). A stream resolves once, when it starts, and
        keeps that engine to its end, so a promotion never swaps the model under a stream in flight.
        """
        if recognition.deployment_id:
            if recognition.model:
                raise InvalidArgument(f"config names both model {echo(recognition.model)} and deployment "
                                      f"{echo(recognition.deployment_id)}; give one of them")
            model_id = self.deployments.resolve(recognition.deployment_id, "stt", recognition.routing_key)
            return self.models.get(model_id)
        self.store.lineage.require_not_revoked(recognition.model or BUNDLED_BASE_MODEL, "model")  # consent revoked
        return self.models.get(recognition.model or BUNDLED_BASE_MODEL)

    def engine(self, recognition: Recognition) -> tuple[ModelRecord, Recognizer]:
        """The request's model and its loaded engine (loaded on first use), with word times from the model's
        aligner when it does not time words itself (models/loading.py)."""
        record = self.resolve_model(recognition)
        decode_options(recognition)  # bad options are refused before a model loads
        check_recognizer(record, "config.model")
        engine = load_recognizer(self.engines, self.store, record,
                                 compute_type(recognition, self.engines.default_compute_type),
                                 word_times=not recognition.disable_word_timestamps)
        return record, engine

    def transcribe(self, recognition: Recognition, audio: AudioBytes | StoredRecording,
                   cancel: Cancel = None) -> TimedTranscription:
        """A unary transcription, timed from reading the audio to the transcript; stops (DecodeCancelled) at the
        next window or batch once `cancel` fires."""
        record, engine = self.engine(recognition)
        options = decode_options(recognition, language=request_language(record, recognition.language))
        timed = transcribe(engine, record.id, self._loader(audio, cancel), options, cancel=cancel,
                           batch_size=SERVING_BATCH_SIZE)
        metrics.real_time_factor(record.id, "speech", timed.processing_s, timed.duration_s)
        return timed

    def open_stream(self, config: StreamConfig) -> StreamSession:
        """Validates a stream's config, resolves its model once and loads the engine; the session then decodes
        the stream's audio (`StreamSession.results`)."""
        decode_options(config.recognition, streaming=True)
        silence = config.endpoint_silence_s or DEFAULT_ENDPOINT_SILENCE_S
        if not 0.1 <= silence <= MAX_ENDPOINT_SILENCE_S:
            raise InvalidArgument(f"endpoint_silence_s must be between 0.1 and {MAX_ENDPOINT_SILENCE_S} s; "
                                  f"got {silence}")
        record, engine = self.engine(config.recognition)
        language = request_language(record, config.recognition.language)
        options = decode_options(config.recognition, streaming=True, language=language)
        interim_options = replace(  # an interim is a preview: no word times, no temperature fallback ladder
            decode_options(replace(config.recognition, disable_word_timestamps=True), streaming=True,
                           language=language), temperatures=options.temperatures[:1])
        policy = StreamingPolicy(endpoint_silence_s=silence, interim_results=config.interim_results)
        return StreamSession(engine, record.id, options, interim_options, policy, config.audio, self.capacity)

    def loaded_models(self) -> list[str]:
        """"model/compute type" of every engine loaded now, least recently used first."""
        return [f"{model}/{compute}" for model, compute in self.engines.loaded()]

    def _loader(self, audio: AudioBytes | StoredRecording, cancel: Cancel = None) -> Callable[[], np.ndarray]:
        if isinstance(audio, StoredRecording):
            return lambda: audio_from_recording(self.store, audio.dataset_id, audio.recording_id)
        if audio.linear16 and not audio.sample_rate_hz:
            raise InvalidArgument("sample_rate_hz is required with encoding LINEAR16 (e.g. 16000)")
        return lambda: audio_from_bytes(audio.data, audio.linear16, audio.sample_rate_hz, audio.channels, cancel)
