"""Transcription use cases, shared by the Speech API and (later) evaluations, so that the real-time factor
an evaluation reports comes from the same code path that serves: resolve the model, read the audio, run
the engine, time it. Free of gRPC."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.audio.stream import Linear16Stream
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.deploy.service import DeploymentService
from adapt_server.engines.options import COMPUTE_TYPES, DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.results import Transcription
from adapt_server.errors import InvalidArgument, NotFound
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.store.models import ModelRecord

DEFAULT_COMPUTE_TYPE = "int8"
STREAMING_BEAM_SIZE = 1  # streams decode greedily unless the config asks for beams (latency)


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
class TimedTranscription:
    transcription: Transcription
    model_id: str
    duration_s: float      # audio seconds
    processing_s: float    # wall seconds on the server: audio decoding + recognition

    @property
    def realtime_factor(self) -> float:
        return self.processing_s / self.duration_s if self.duration_s > 0 else 0.0


def resolve_model(models, recognition: Recognition) -> ModelRecord:
    """The model a request names (default: the bundled base model). `models`: a ModelService.

    With `deployment_id`, the deployment's "stt" route decides, at this moment: its canary split applies
    (by `routing_key` when given, else at random per request). A stream resolves once, when it starts, and
    keeps that engine to its end, so a promotion never swaps the model under a stream in flight.
    """
    if recognition.deployment_id:
        if recognition.model:
            raise InvalidArgument(f"config names both model {recognition.model!r} and deployment "
                                  f"{recognition.deployment_id!r}; give one of them")
        model_id = DeploymentService(models.store).resolve(recognition.deployment_id, "stt", recognition.routing_key)
        return models.get(model_id)
    return models.get(recognition.model or BUNDLED_BASE_MODEL)


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
