"""adapt.v1.Voices: thin translation between messages and VoiceService (voices/service.py)."""
from __future__ import annotations

from adapt.v1 import common_pb2, voices_pb2, voices_pb2_grpc
from adapt_server.api import convert
from adapt_server.api.context import ServiceRunner
from adapt_server.api.status import handle_errors
from adapt_server.api.watch import job_events
from adapt_server.store.voices import VoiceRecord
from adapt_server.tts.kokoro import LANGUAGE as KOKORO_LANGUAGE
from adapt_server.tts.kokoro import SAMPLE_RATE as KOKORO_RATE
from adapt_server.tts.synthesizer import VoiceInfo
from adapt_server.voices.consent import ConsentRequest
from adapt_server.voices.server_key import key_id


def stock_voice_message(info: VoiceInfo) -> voices_pb2.Voice:
    return voices_pb2.Voice(id=info.voice_id, name=info.voice_id, engine=info.engine, stock=True,
                            sample_rate_hz=info.sample_rate, language=info.language, description=info.description,
                            license=info.license, weights=info.weights, state=common_pb2.SUCCEEDED)


def custom_voice_message(record: VoiceRecord) -> voices_pb2.Voice:
    job, check, quality = record.job, record.consent_check, record.quality
    return voices_pb2.Voice(
        id=record.id, name=record.name, engine="kokoro", stock=False, sample_rate_hz=KOKORO_RATE,
        language=KOKORO_LANGUAGE, description=f"custom Kokoro voice of speaker {record.speaker or '(the only one)'} "
                                              f"of dataset {record.dataset_id}",
        state=common_pb2.State.Value(job.state), progress=convert.progress(job.progress), error=convert.error(job),
        dataset_id=record.dataset_id, speaker=record.speaker, consent_record_id=record.consent_id,
        consent_check=voices_pb2.ConsentCheck(**check) if check else None,
        quality=voices_pb2.VoiceQuality(**quality) if quality else None,
        revoked=record.revocation is not None,
        revoked_reason=record.revocation.describe() if record.revocation is not None else "",
        create_time=convert.timestamp(record.created_at), update_time=convert.timestamp(job.updated_at),
        labels=record.labels, request_id=record.request_id or "",
        options=voices_pb2.VoiceBuildOptions(**record.options))


def voice_message(voice: VoiceInfo | VoiceRecord) -> voices_pb2.Voice:
    return stock_voice_message(voice) if isinstance(voice, VoiceInfo) else custom_voice_message(voice)


def options_from_proto(request: voices_pb2.CreateVoiceRequest) -> dict:
    o = request.options
    return {"generations": o.generations, "population": o.population, "max_wer": o.max_wer, "seed": o.seed}


class VoicesServicer(voices_pb2_grpc.VoicesServicer):
    def __init__(self, runner: ServiceRunner):
        self.runner = runner

    @handle_errors
    async def CreateVoice(self, request, context):
        consent = ConsentRequest(request.consent.talent_name, request.consent.company, request.consent.locale,
                                 request.consent.statement_audio)
        return await self.runner.run(lambda s: voice_message(s.voices.create(
            request.name, request.dataset_id, request.speaker, consent, options_from_proto(request),
            dict(request.labels), request.request_id)))

    @handle_errors
    async def GetVoice(self, request, context):
        return await self.runner.run(lambda s: voice_message(s.voices.describe(request.id)))

    @handle_errors
    async def ListVoices(self, request, context):
        items, token = await self.runner.page(lambda s, size: s.voices.list_voices(size, request.page_token),
                                              request.page_size, lambda s, voice: voice_message(voice))
        return voices_pb2.ListVoicesResponse(voices=items, next_page_token=token)

    @handle_errors
    async def DeleteVoice(self, request, context):
        await self.runner.run(lambda s: s.voices.delete(request.id))
        return voices_pb2.DeleteVoiceResponse(id=request.id)

    @handle_errors
    async def CancelVoice(self, request, context):
        return await self.runner.run(lambda s: voice_message(s.voices.cancel(request.id)))

    @handle_errors
    async def WatchVoice(self, request, context):
        """Streams the voice build's event log from after_sequence; ends after the terminal event."""
        record = await self.runner.run(lambda s: s.voices.get(request.id))
        async for event in job_events(self.runner, record.job.id, request.id, request.after_sequence):
            yield event

    @handle_errors
    async def GetConsentRecord(self, request, context):
        view = await self.runner.run(lambda s: s.voices.consent_record(request.voice_id, request.consent_id))
        row = view.consent
        return voices_pb2.ConsentRecord(
            consent_id=row.id, voice_id=view.voice_id, signed_record=row.record,
            server_public_key=view.server_public_key, key_id=key_id(view.server_public_key), revoked=row.revoked,
            revoked_reason=row.revoked_reason, revoke_time=convert.timestamp(row.revoked_at))
