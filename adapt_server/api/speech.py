"""adapt.v1.Speech: unary Transcribe and bidirectional StreamingTranscribe, as messages <-> the speech use cases
(speech/service.py, speech/session.py); Synthesize and StreamingSynthesize <-> voices/synthesis.py.

Every transcription is admitted first (speech/admission.py: server-wide and per caller, the caller named by
api/identity.py), or refused with RESOURCE_EXHAUSTED and a retry hint before any work; it then decodes in the
decode executor with a cancellation token that fires when the RPC is cancelled, its deadline passes or the
server stops. A stream's messages are bounded (MAX_STREAM_MESSAGE_BYTES) and parsed off the event loop."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from adapt.v1 import speech_pb2, speech_pb2_grpc
from adapt_server.api.context import ServiceRunner
from adapt_server.api.identity import caller_of
from adapt_server.api.status import handle_errors
from adapt_server.errors import InvalidArgument
from adapt_server.speech import service as speech
from adapt_server.speech.session import StreamAudio
from adapt_server.speech.turns import REQUEST
from adapt_server.voices.synthesis import SynthesisRequest

SPEECH_ENCODINGS = {  # SpeechEncoding -> audio/encode.py's name
    speech_pb2.SPEECH_ENCODING_UNSPECIFIED: "wav", speech_pb2.SPEECH_ENCODING_WAV: "wav",
    speech_pb2.SPEECH_ENCODING_PCM16: "pcm16", speech_pb2.SPEECH_ENCODING_MULAW: "mulaw",
    speech_pb2.SPEECH_ENCODING_OGG_OPUS: "ogg_opus"}
ENCODING_VALUES = {"wav": speech_pb2.SPEECH_ENCODING_WAV, "pcm16": speech_pb2.SPEECH_ENCODING_PCM16,
                   "mulaw": speech_pb2.SPEECH_ENCODING_MULAW, "ogg_opus": speech_pb2.SPEECH_ENCODING_OGG_OPUS}


MAX_STREAM_MESSAGE_BYTES = 4 * 1024 * 1024  # audio bytes in one stream message (~131 s of 16 kHz PCM16)


def deadline_s(context) -> float | None:
    """Seconds left before the RPC's deadline, or None when it has none."""
    remaining = context.time_remaining()
    return remaining if remaining is not None and remaining < 1e9 else None


def recognition_from_proto(config: speech_pb2.RecognitionConfig) -> speech.Recognition:
    return speech.Recognition(model=config.model, deployment_id=config.deployment_id, beam_size=config.beam_size,
                              compute_type=config.compute_type,
                              disable_word_timestamps=config.disable_word_timestamps,
                              initial_prompt=config.initial_prompt, hotwords=config.hotwords,
                              temperatures=tuple(config.temperatures), routing_key=config.routing_key,
                              language=config.language)


def audio_from_proto(request: speech_pb2.TranscribeRequest) -> speech.AudioBytes | speech.StoredRecording:
    if request.HasField("recording"):
        return speech.StoredRecording(request.recording.dataset_id, request.recording.recording_id)
    return speech.AudioBytes(request.audio, linear16=request.encoding == speech_pb2.LINEAR16,
                             sample_rate_hz=request.sample_rate_hz, channels=request.channels)


def stream_config_from_proto(config: speech_pb2.StreamingConfig) -> speech.StreamConfig:
    return speech.StreamConfig(
        recognition=recognition_from_proto(config.recognition),
        audio=StreamAudio(linear16=config.encoding != speech_pb2.ENCODED, sample_rate_hz=config.sample_rate_hz,
                          channels=config.channels),
        endpoint_silence_s=config.endpoint_silence_s, interim_results=not config.disable_interim_results)


def synthesis_from_proto(request: speech_pb2.SynthesizeRequest) -> SynthesisRequest:
    if request.encoding not in SPEECH_ENCODINGS:
        raise InvalidArgument(f"encoding {request.encoding} is not supported: use one of "
                              f"{', '.join(speech_pb2.SpeechEncoding.Name(v) for v in ENCODING_VALUES.values())}")
    return SynthesisRequest(text=request.text, voice=request.voice, deployment_id=request.deployment_id,
                            encoding=SPEECH_ENCODINGS[request.encoding], sample_rate_hz=request.sample_rate_hz,
                            speaking_rate=request.speaking_rate, routing_key=request.routing_key)


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
        duration_s=timed.duration_s, processing_s=timed.processing_s, realtime_factor=timed.realtime_factor,
        language=t.language)


def stream_result_to_proto(result, model_id: str) -> speech_pb2.StreamingTranscribeResponse:
    return speech_pb2.StreamingTranscribeResponse(
        is_final=result.is_final, text=result.text, stable_text=result.stable_text,
        words=[_word(w) for w in result.words], start=result.start, end=result.end,
        utterance_index=result.utterance_index, model=model_id, audio_received_s=result.audio_received_s,
        confidence=result.confidence, language=result.language)


class SpeechServicer(speech_pb2_grpc.SpeechServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def Transcribe(self, request, context):
        recognition, audio = recognition_from_proto(request.config), audio_from_proto(request)
        capacity = self.runner.capacity
        try:
            with capacity.admission.admit(caller_of(context), "transcription"):
                token = capacity.token(deadline_s(context))
                check = capacity.yielding(token, REQUEST)  # at each check, a waiting stream final goes first
                timed = await self.runner.decode(lambda s: s.speech.transcribe(recognition, audio, cancel=check),
                                                 token)
        finally:
            capacity.release_memory_when_idle()
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
        config = stream_config_from_proto(first.config)
        capacity = self.runner.capacity
        try:
            with capacity.admission.admit(caller_of(context), "stream"):
                session = await self.runner.run(lambda s: s.speech.open_stream(config))
                try:
                    async with contextlib.aclosing(session.results(_audio_chunks(request_iterator))) as results:
                        async for result in results:
                            yield stream_result_to_proto(result, session.model_id)
                finally:
                    session.close()
        finally:
            capacity.release_memory_when_idle()


    # --- synthesis (voices/synthesis.py) ---------------------------------------------------------------
    @handle_errors
    async def Synthesize(self, request, context):
        synthesis = synthesis_from_proto(request)
        capacity = self.runner.capacity
        with capacity.admission.admit(caller_of(context), "synthesis"):  # shares the decode cores' limits
            token = capacity.token(deadline_s(context))
            speech_audio = await self.runner.decode(lambda s: s.synthesis.synthesize(synthesis), token)
        fmt = speech_audio.format
        return speech_pb2.SynthesizeResponse(
            audio=speech_audio.audio, voice=speech_audio.voice_id, encoding=ENCODING_VALUES[fmt.encoding],
            sample_rate_hz=fmt.sample_rate, mime_type=fmt.mime_type, duration_s=speech_audio.duration_s,
            processing_s=speech_audio.processing_s, realtime_factor=speech_audio.realtime_factor)

    @handle_errors
    async def StreamingSynthesize(self, request, context):
        """Chunks as they are synthesized; each one runs off the event loop, and a client that goes away stops
        the synthesis at the next chunk."""
        synthesis = synthesis_from_proto(request)
        with self.runner.capacity.admission.admit(caller_of(context), "synthesis stream"):
            stream = await self.runner.run(lambda s: s.synthesis.open_stream(synthesis))
            fmt = stream.format
            chunks = stream.chunks
            token = self.runner.capacity.token()
            try:
                while True:  # each chunk in the decode executor, in a request's turn (never the control plane's)
                    chunk = await self.runner.capacity.decode(lambda: next(chunks, None), token, REQUEST)
                    if chunk is None:
                        return
                    yield speech_pb2.SynthesizeChunk(
                        audio=chunk.audio, index=chunk.index, text=chunk.text, start_s=chunk.start_s,
                        duration_s=chunk.duration_s, last=chunk.last, voice=stream.voice_id,
                        encoding=ENCODING_VALUES[fmt.encoding], sample_rate_hz=fmt.sample_rate,
                        mime_type=fmt.mime_type)
            finally:
                with contextlib.suppress(ValueError):  # cancelled while a chunk synthesizes: that thread finishes it
                    chunks.close()


async def _audio_chunks(request_iterator) -> AsyncIterator[bytes]:
    """The audio bytes of the stream's messages after the first; a second config is refused."""
    async for message in request_iterator:
        if message.HasField("config"):
            raise InvalidArgument("config may only be sent once, in the first message")
        if len(message.audio) > MAX_STREAM_MESSAGE_BYTES:
            raise InvalidArgument(f"a stream message carries {len(message.audio)} bytes of audio; send at most "
                                  f"{MAX_STREAM_MESSAGE_BYTES} per message (chunks of 0.1-1 s of audio)")
        yield message.audio


async def _next_or_none(iterator):
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return None
