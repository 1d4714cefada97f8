"""client.voices: the stock voices and custom voices built from a consented dataset: create, get, list, cancel,
watch, wait, delete, and the signed consent record."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from adapt._resource_api import JobResourceAPI
from adapt.errors import InvalidArgumentError
from adapt.resources import JobResource, State, _time
from adapt.v1 import voices_pb2, voices_pb2_grpc

BUILD_OPTIONS = ("generations", "population", "max_wer", "seed")


@dataclass(frozen=True)
class ConsentCheck:
    """How the consent statement scored (docs/voices.md): what was said and who said it."""
    passed: bool
    statement_score: float
    name_score: float
    company_score: float
    speaker_score: float
    speaker_threshold: float
    transcript: str
    reason: str


@dataclass(frozen=True)
class ConsentRecord:
    consent_id: str
    voice_id: str
    signed_record: bytes        # canonical JSON {public_key, record, signature}: save it, verify it offline
    server_public_key: bytes    # 32 raw bytes of the server's Ed25519 key
    key_id: str
    revoked: bool
    revoked_reason: str
    revoked_at: datetime | None

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.signed_record)
        return path


@dataclass(eq=False)
class Voice(JobResource):
    """A voice: stock (state SUCCEEDED, no dataset) or custom (a build job from a consented dataset)."""
    name: str = ""
    engine: str = ""
    stock: bool = False
    sample_rate_hz: int = 0
    language: str = ""
    description: str = ""
    license: str = ""
    weights: str = ""
    dataset_id: str = ""
    speaker: str = ""
    consent_record_id: str = ""
    consent_check: ConsentCheck | None = None
    quality: dict = field(default_factory=dict)     # similarity, start_voice, start_similarity, wer, ... once built
    revoked: bool = False
    revoked_reason: str = ""
    labels: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)

    def _update(self, m) -> None:
        super()._update(m)
        self.name, self.engine, self.stock, self.sample_rate_hz = m.name, m.engine, m.stock, m.sample_rate_hz
        self.language, self.description, self.license, self.weights = m.language, m.description, m.license, m.weights
        self.dataset_id, self.speaker, self.consent_record_id = m.dataset_id, m.speaker, m.consent_record_id
        c = m.consent_check
        self.consent_check = ConsentCheck(c.passed, c.statement_score, c.name_score, c.company_score,
                                          c.speaker_score, c.speaker_threshold, c.transcript, c.reason) \
            if m.HasField("consent_check") else None
        q = m.quality
        self.quality = {"similarity": q.similarity, "start_voice": q.start_voice,
                        "start_similarity": q.start_similarity, "wer": q.wer, "generations": q.generations,
                        "evaluations": q.evaluations, "build_seconds": q.build_seconds} \
            if m.HasField("quality") else {}
        self.revoked, self.revoked_reason = m.revoked, m.revoked_reason
        self.labels = dict(m.labels)
        self.options = {name: getattr(m.options, name) for name in BUILD_OPTIONS} if m.HasField("options") else {}

    def consent_record(self) -> ConsentRecord:
        return self._api.consent_record(self.id)


def _statement_bytes(statement_audio: bytes | str | Path) -> bytes:
    if isinstance(statement_audio, (str, Path)):
        return Path(statement_audio).read_bytes()
    if isinstance(statement_audio, (bytes, bytearray, memoryview)):
        return bytes(statement_audio)
    raise InvalidArgumentError("statement_audio must be the recording's bytes or a file path")


class VoicesAPI(JobResourceAPI[Voice]):
    """Voices: get, list_page, list, cancel, watch and wait come from JobResourceAPI (stock voices come first in
    list and are SUCCEEDED from the start)."""
    resource_type, stub_type, messages = Voice, voices_pb2_grpc.VoicesStub, voices_pb2
    name, kind = "Voice", "voice"

    def create(self, dataset_id: str, *, talent_name: str, company: str, statement_audio: bytes | str | Path,
               speaker: str = "", locale: str = "en-US", name: str = "", options: dict | None = None,
               labels: dict[str, str] | None = None, request_id: str | None = None,
               timeout: float | None = 300) -> Voice:
        """Verifies the consent and starts building a custom voice of `speaker` in `dataset_id`; returns the
        PENDING voice (wait() for it). statement_audio: the talent reading "I [talent_name] am aware that
        recordings of my voice will be used by [company] to create and use a synthetic version of my voice."
        (bytes or a file path). A failed consent check raises FailedPreconditionError naming the check and its
        score. options: {"generations": 12, "population": 8, "max_wer": 0.1, "seed": 0}."""
        options = dict(options or {})
        unknown = sorted(set(options) - set(BUILD_OPTIONS))
        if unknown:
            raise InvalidArgumentError(f"options: unknown fields {unknown}; use {list(BUILD_OPTIONS)}")
        request = voices_pb2.CreateVoiceRequest(
            request_id=request_id or uuid.uuid4().hex, name=name, dataset_id=dataset_id, speaker=speaker,
            consent=voices_pb2.Consent(talent_name=talent_name, company=company, locale=locale,
                                       statement_audio=_statement_bytes(statement_audio)),
            options=voices_pb2.VoiceBuildOptions(**options), labels=labels or {})
        return self._resource(self._call("CreateVoice", request, timeout=timeout))

    def delete(self, voice_id: str) -> None:
        self._call("DeleteVoice", voices_pb2.DeleteVoiceRequest(id=voice_id))

    def consent_record(self, voice_id: str = "", consent_id: str = "") -> ConsentRecord:
        """The voice's signed consent record and the server's public key (check it with adapt.consent.verify)."""
        request = voices_pb2.GetConsentRecordRequest(consent_id=consent_id) if consent_id else \
            voices_pb2.GetConsentRecordRequest(voice_id=voice_id)
        m = self._call("GetConsentRecord", request)
        return ConsentRecord(m.consent_id, m.voice_id, m.signed_record, m.server_public_key, m.key_id, m.revoked,
                             m.revoked_reason, _time(m.revoke_time))


__all__ = ["ConsentCheck", "ConsentRecord", "Voice", "VoicesAPI", "State"]
