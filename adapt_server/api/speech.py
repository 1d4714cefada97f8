"""adapt.v1.Speech: unary Transcribe and bidirectional StreamingTranscribe over the shared engines."""
from __future__ import annotations

import asyncio
import logging
import threading

import numpy as np

from adapt.v1 import speech_pb2, speech_pb2_grpc
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.audio.decode import AudioDecodeError
from adapt_server.audio.stream import EncodedStream, Linear16Stream
from adapt_server.errors import InvalidArgument
from adapt_server.models.sources import model_source
from adapt_server.speech import service as speech
from adapt_server.speech.streaming import Hypothesis, StreamingPolicy, StreamingRecognizer

log = logging.getLogger("adapt.speech")
DEFAULT_ENDPOINT_SILENCE_S = 0.5
MAX_ENDPOINT_SILENCE_S = 5.0
INTERIM_DECODES_AT_ONCE = 1  # interims across all streams decoded concurrently; more are skipped (best-effort)


def recognition_from_proto(config: speech_pb2.RecognitionConfig) -> speech.Recognition:
    return speech.Recognition(model=config.model, deployment_id=config.deployment_id, beam_size=config.beam_size,
                              compute_type=config.compute_type,
                              disable_word_timestamps=config.disable_word_timestamps,
                              initial_prompt=config.initial_prompt, hotwords=config.hotwords,
                              temperatures=tuple(config.temperatures), routing_key=config.routing_key)


def _word(w) -> speech_pb2.Word:
    return speech_pb2.Word(start=w.start, end=w.end, text=w.text, confidence=w.confidence or 0.0)


def transcription_to_proto(timed: speech.TimedTranscription) -> speech_pb2.TranscribeResponse:
    t = timed.transcription
    return speech_pb2.TranscribeResponse(
        model=timed.model_id, text=t.text,
        segments=[speech_pb2.Segment(start=s.start, end=s.end, text=s.text, words=[_word(w) for w in s.words],
                                     confidence=s.confidence, avg_logprob=s.avg_logprob,
                                     no_speech_prob=s.no_speech_prob, compression_ratio=s.compression_ratio,
                                     temperature=s.temperature) for s in t.segments],
        non_speech=[speech_pb2.TimeRange(start=a, end=b) for a, b in t.non_speech],
        duration_s=timed.duration_s, processing_s=timed.processing_s, realtime_factor=timed.realtime_factor)


class SpeechServicer(speech_pb2_grpc.SpeechServicer):
    def __init__(self, runner: ServiceRunner, engines):
        self.runner = runner
        self.engines = engines          # adapt_server.engines.registry.EngineRegistry
        self.active_streams = 0
        self._interim_slots = threading.BoundedSemaphore(INTERIM_DECODES_AT_ONCE)

    async def _engine(self, recognition: speech.Recognition):
        record = await self.runner.run(lambda s: speech.resolve_model(s.models, recognition))
        compute_type = speech.compute_type(recognition)
        engine = await asyncio.to_thread(self.engines.get, model_source(record), compute_type)
        return record, engine

    @handle_errors
    async def Transcribe(self, request, context):
        recognition = recognition_from_proto(request.config)
        options = speech.decode_options(recognition)
        record, engine = await self._engine(recognition)
        if request.HasField("recording"):
            ref = request.recording

            def load():
                return speech.audio_from_recording(self.runner.services().datasets.store, ref.dataset_id, ref.recording_id)
        else:
            linear16 = request.encoding == speech_pb2.LINEAR16
            if linear16 and not request.sample_rate_hz:
                raise InvalidArgument("sample_rate_hz is required with encoding LINEAR16 (e.g. 16000)")

            def load():
                return speech.audio_from_bytes(request.audio, linear16, request.sample_rate_hz, request.channels)
        timed = await asyncio.to_thread(speech.transcribe, engine, record.id, load, options)
        return transcription_to_proto(timed)

    @handle_errors
    async def StreamingTranscribe(self, request_iterator, context):
        """First message: config. Then audio chunks. Results stream back as they are ready; everything the
        stream holds is released when the client finishes, fails or vanishes."""
        first = await _next_or_none(request_iterator)
        if first is None:
            raise InvalidArgument("the stream ended before its config: send a StreamingConfig first")
        if not first.HasField("config"):
            raise InvalidArgument("the first message must carry `config` (a StreamingConfig), not audio")
        config = first.config
        recognition = recognition_from_proto(config.recognition)
        options = speech.decode_options(recognition, streaming=True)
        interim_options = speech.decode_options(
            speech.Recognition(**{**recognition.__dict__, "disable_word_timestamps": True}), streaming=True)
        silence = config.endpoint_silence_s or DEFAULT_ENDPOINT_SILENCE_S
        if not 0.1 <= silence <= MAX_ENDPOINT_SILENCE_S:
            raise InvalidArgument(f"endpoint_silence_s must be between 0.1 and {MAX_ENDPOINT_SILENCE_S} s; got {silence}")
        record, engine = await self._engine(recognition)

        slots = self._interim_slots

        def decode(audio: np.ndarray, final: bool) -> Hypothesis | None:
            if final:
                result = engine.transcribe(audio, options)
            elif slots.acquire(blocking=False):
                try:
                    result = engine.transcribe(audio, interim_options)
                finally:
                    slots.release()
            else:
                return None  # another stream's interim is decoding: skip, finals keep the cores
            confidence = (sum(s.confidence for s in result.segments) / len(result.segments)) if result.segments else 0.0
            return Hypothesis(result.text, result.words, confidence)

        recognizer = StreamingRecognizer(decode, StreamingPolicy(endpoint_silence_s=silence,
                                                                 interim_results=not config.disable_interim_results))
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        linear16 = config.encoding != speech_pb2.ENCODED
        try:
            pcm = Linear16Stream(config.sample_rate_hz, config.channels) if linear16 else None
        except AudioDecodeError as exc:
            raise InvalidArgument(f"config: {exc}") from None
        encoded = None if linear16 else EncodedStream(
            lambda samples: loop.call_soon_threadsafe(queue.put_nowait, samples), config.sample_rate_hz)
        reader = asyncio.create_task(self._read_audio(request_iterator, pcm, encoded, queue))
        self.active_streams += 1
        try:
            while True:
                item = await queue.get()
                chunks = [item]
                while not queue.empty():  # coalesce what arrived while the last decode ran
                    chunks.append(queue.get_nowait())
                done = any(c is None for c in chunks)
                errors = [c for c in chunks if isinstance(c, Exception)]
                if errors:
                    raise errors[0]
                audio = [c for c in chunks if isinstance(c, np.ndarray)]
                if audio:
                    results = await asyncio.to_thread(recognizer.accept, np.concatenate(audio))
                    for result in results:
                        yield _stream_response(result, record.id)
                if done:
                    for result in await asyncio.to_thread(recognizer.finish):
                        yield _stream_response(result, record.id)
                    return
        finally:
            self.active_streams -= 1
            reader.cancel()
            if encoded is not None:
                encoded.abort()

    async def _read_audio(self, request_iterator, pcm, encoded, queue: asyncio.Queue) -> None:
        """Reads the client's audio messages into `queue` (arrays), then None at the end, or the error."""
        try:
            async for message in request_iterator:
                if message.HasField("config"):
                    raise InvalidArgument("config may only be sent once, in the first message")
                if pcm is not None:
                    samples = pcm.push(message.audio)
                    if samples.size:
                        queue.put_nowait(samples)
                else:
                    encoded.push(message.audio)
            if pcm is not None:
                queue.put_nowait(pcm.finish())
            else:
                await asyncio.to_thread(encoded.finish)
            queue.put_nowait(None)
        except asyncio.CancelledError:
            raise
        except AudioDecodeError as exc:
            queue.put_nowait(InvalidArgument(f"audio: {exc}"))
        except Exception as exc:  # the client went away, or sent something we refuse
            queue.put_nowait(exc)


async def _next_or_none(iterator):
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return None


def _stream_response(result, model_id: str) -> speech_pb2.StreamingTranscribeResponse:
    return speech_pb2.StreamingTranscribeResponse(
        is_final=result.is_final, text=result.text, stable_text=result.stable_text,
        words=[_word(w) for w in result.words], start=result.start, end=result.end,
        utterance_index=result.utterance_index, model=model_id, audio_received_s=result.audio_received_s,
        confidence=result.confidence)
