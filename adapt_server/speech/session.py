"""One streaming transcription, from its first audio chunk to its last final, free of gRPC.

A `StreamSession` owns what a stream holds: the recognizer (LocalAgreement interims and endpointed finals,
streaming.py), the incremental audio decoder (raw PCM16, or an encoded file piped through FFmpeg), the task
that reads the client's chunks into a queue, its cancellation token, and the loop that coalesces the audio that
arrived while a decode ran. All decoding goes through `_submit` (the server's decode executor, capacity.py)
and `_decode` (the engine call, with the session's token): the one place where a stream's work enters the
machine. Incoming messages are parsed in the parse executor, never on the event loop. `close()` releases
everything and fires the token, so a decode in progress stops at its next window; it runs when the results
end, fail or are abandoned (the client went away).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import numpy as np

from adapt_server.audio.decode import AudioDecodeError
from adapt_server.audio.stream import EncodedStream, Linear16Stream
from adapt_server.engines.options import DecodeOptions
from adapt_server.engines.protocol import Recognizer
from adapt_server.errors import InvalidArgument
from adapt_server.speech.capacity import SpeechCapacity
from adapt_server.speech.native_stream import NativeStreamingRecognizer
from adapt_server.speech.streaming import Hypothesis, StreamingPolicy, StreamingRecognizer, StreamResult
from adapt_server.speech.turns import FINAL


@dataclass(frozen=True)
class StreamAudio:
    """How a stream's audio arrives: raw PCM16 (linear16) at sample_rate_hz, or an encoded file (sample_rate_hz,
    when not 0, is checked against the file)."""

    linear16: bool
    sample_rate_hz: int = 0
    channels: int = 0


class StreamSession:
    """engine: the recognizer resolved when the stream opened (kept to its end, so a promotion never changes the
    model under a stream in flight); options: finals' decoding; interim_options: interims' (no word times)."""

    def __init__(self, engine: Recognizer, model_id: str, options: DecodeOptions, interim_options: DecodeOptions,
                 policy: StreamingPolicy, audio: StreamAudio, capacity: SpeechCapacity):
        self.model_id = model_id
        self._engine = engine
        self._options = options
        self._interim_options = interim_options
        self._capacity = capacity
        self._audio = audio
        self._token = capacity.token()
        self._recognizer = _recognizer(engine, options, policy, self._decode)
        self._interim_wait_s = policy.interim_every_s  # an interim older than its period is stale
        try:
            self._pcm = Linear16Stream(audio.sample_rate_hz, audio.channels) if audio.linear16 else None
        except AudioDecodeError as exc:
            raise InvalidArgument(f"config: {exc}") from None
        self._encoded: EncodedStream | None = None
        self._reader: asyncio.Task | None = None

    async def results(self, chunks: AsyncIterator[bytes]) -> AsyncIterator[StreamResult]:
        """Decodes `chunks` (the stream's audio bytes) as they arrive; yields interim and final results and ends
        after the last final. Raises InvalidArgument for audio that cannot be decoded, or what `chunks` raised."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        if self._pcm is None:
            self._encoded = EncodedStream(lambda samples: loop.call_soon_threadsafe(queue.put_nowait, samples),
                                          self._audio.sample_rate_hz)
        self._reader = asyncio.create_task(self._read_audio(chunks, queue))
        self._capacity.active_streams += 1
        try:
            while True:
                item = await queue.get()
                arrived = [item]
                while not queue.empty():  # coalesce what arrived while the last decode ran
                    arrived.append(queue.get_nowait())
                done = any(piece is None for piece in arrived)
                errors = [piece for piece in arrived if isinstance(piece, Exception)]
                if errors:
                    raise errors[0]
                audio = [piece for piece in arrived if isinstance(piece, np.ndarray)]
                if audio:
                    for result in await self._submit(self._recognizer.accept, np.concatenate(audio)):
                        yield result
                if done:
                    for result in await self._submit(self._recognizer.finish):
                        yield result
                    return
        finally:
            self._capacity.active_streams -= 1
            self.close()

    def close(self) -> None:
        """Stops reading and decoding the client's audio (idempotent); a decode in progress stops at its next
        window or batch."""
        self._token.cancel()
        if self._reader is not None:
            self._reader.cancel()
        if self._encoded is not None:
            self._encoded.abort()

    async def _submit(self, work: Callable[..., list[StreamResult]], *args) -> list[StreamResult]:
        """Runs recognizer work (which decodes through `_decode`) in the decode executor, off the event loop."""
        return await self._capacity.decode(lambda: work(*args), self._token)

    def _decode(self, audio: np.ndarray, final: bool) -> Hypothesis | None:
        """The recognizer's decoder: a final waits for its turn at the model (before unary requests and
        interims); an interim waits at most one interim period behind them, else it is skipped (turns.py)."""
        turns = self._capacity.turns
        if final:
            with turns.turn(FINAL, self._token, self._token.error):
                result = self._engine.transcribe(audio, self._options, cancel=self._token)
        elif turns.interim_turn(self._interim_wait_s, self._token):
            try:
                result = self._engine.transcribe(audio, self._interim_options, cancel=self._token)
            finally:
                turns.leave_interim()
        else:
            return None  # the model stayed busy with finals and requests: skip, the next audio tries again
        segments = result.segments
        confidence = sum(segment.confidence for segment in segments) / len(segments) if segments else 0.0
        return Hypothesis(result.text, result.words, confidence, result.language or self._options.language)

    async def _read_audio(self, chunks: AsyncIterator[bytes], queue: asyncio.Queue) -> None:
        """Decodes the client's chunks into `queue` (arrays), then None at the end, or the error. Each message
        is parsed in the parse executor (WAV header walk, PCM framing and resampling, the FFmpeg pipe)."""
        parse = self._capacity.parse
        try:
            async for chunk in chunks:
                if self._pcm is not None:
                    samples = await parse(self._pcm.push, chunk)
                    if samples.size:
                        queue.put_nowait(samples)
                else:
                    await parse(self._encoded.push, chunk)
            if self._pcm is not None:
                queue.put_nowait(await parse(self._pcm.finish))
            else:
                await parse(self._encoded.finish)
            queue.put_nowait(None)
        except asyncio.CancelledError:
            raise
        except AudioDecodeError as exc:
            queue.put_nowait(InvalidArgument(f"audio: {exc}"))
        except Exception as exc:  # the client went away, or sent something we refuse
            queue.put_nowait(exc)


def _recognizer(engine: Recognizer, options: DecodeOptions, policy: StreamingPolicy, decode):
    """A natively streaming engine (Voxtral Realtime: `open_stream`) decodes incrementally; every other engine
    streams through LocalAgreement re-decoding (`decode`)."""
    if engine.info.native_streaming and callable(getattr(engine, "open_stream", None)):
        align = getattr(engine, "align_words", None) if options.word_timestamps else None
        return NativeStreamingRecognizer(engine.open_stream(options), policy, options.language, align)
    return StreamingRecognizer(decode, policy)
