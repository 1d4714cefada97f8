import datetime

from adapt.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Consent(_message.Message):
    __slots__ = ("talent_name", "company", "locale", "statement_audio")
    TALENT_NAME_FIELD_NUMBER: _ClassVar[int]
    COMPANY_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_AUDIO_FIELD_NUMBER: _ClassVar[int]
    talent_name: str
    company: str
    locale: str
    statement_audio: bytes
    def __init__(self, talent_name: _Optional[str] = ..., company: _Optional[str] = ..., locale: _Optional[str] = ..., statement_audio: _Optional[bytes] = ...) -> None: ...

class VoiceBuildOptions(_message.Message):
    __slots__ = ("generations", "population", "max_wer", "seed")
    GENERATIONS_FIELD_NUMBER: _ClassVar[int]
    POPULATION_FIELD_NUMBER: _ClassVar[int]
    MAX_WER_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    generations: int
    population: int
    max_wer: float
    seed: int
    def __init__(self, generations: _Optional[int] = ..., population: _Optional[int] = ..., max_wer: _Optional[float] = ..., seed: _Optional[int] = ...) -> None: ...

class CreateVoiceRequest(_message.Message):
    __slots__ = ("request_id", "name", "dataset_id", "speaker", "consent", "options", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    CONSENT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    dataset_id: str
    speaker: str
    consent: Consent
    options: VoiceBuildOptions
    labels: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., dataset_id: _Optional[str] = ..., speaker: _Optional[str] = ..., consent: _Optional[_Union[Consent, _Mapping]] = ..., options: _Optional[_Union[VoiceBuildOptions, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ConsentCheck(_message.Message):
    __slots__ = ("passed", "statement_score", "name_score", "company_score", "speaker_score", "statement_threshold", "name_threshold", "company_threshold", "speaker_threshold", "transcript", "reason")
    PASSED_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    NAME_SCORE_FIELD_NUMBER: _ClassVar[int]
    COMPANY_SCORE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_SCORE_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    NAME_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    COMPANY_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    passed: bool
    statement_score: float
    name_score: float
    company_score: float
    speaker_score: float
    statement_threshold: float
    name_threshold: float
    company_threshold: float
    speaker_threshold: float
    transcript: str
    reason: str
    def __init__(self, passed: _Optional[bool] = ..., statement_score: _Optional[float] = ..., name_score: _Optional[float] = ..., company_score: _Optional[float] = ..., speaker_score: _Optional[float] = ..., statement_threshold: _Optional[float] = ..., name_threshold: _Optional[float] = ..., company_threshold: _Optional[float] = ..., speaker_threshold: _Optional[float] = ..., transcript: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class VoiceQuality(_message.Message):
    __slots__ = ("similarity", "start_voice", "start_similarity", "wer", "generations", "evaluations", "build_seconds")
    SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    START_VOICE_FIELD_NUMBER: _ClassVar[int]
    START_SIMILARITY_FIELD_NUMBER: _ClassVar[int]
    WER_FIELD_NUMBER: _ClassVar[int]
    GENERATIONS_FIELD_NUMBER: _ClassVar[int]
    EVALUATIONS_FIELD_NUMBER: _ClassVar[int]
    BUILD_SECONDS_FIELD_NUMBER: _ClassVar[int]
    similarity: float
    start_voice: str
    start_similarity: float
    wer: float
    generations: int
    evaluations: int
    build_seconds: float
    def __init__(self, similarity: _Optional[float] = ..., start_voice: _Optional[str] = ..., start_similarity: _Optional[float] = ..., wer: _Optional[float] = ..., generations: _Optional[int] = ..., evaluations: _Optional[int] = ..., build_seconds: _Optional[float] = ...) -> None: ...

class Voice(_message.Message):
    __slots__ = ("id", "name", "engine", "stock", "sample_rate_hz", "language", "description", "license", "weights", "state", "progress", "error", "dataset_id", "speaker", "consent_record_id", "consent_check", "quality", "revoked", "revoked_reason", "create_time", "update_time", "labels", "request_id", "options")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    STOCK_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LICENSE_FIELD_NUMBER: _ClassVar[int]
    WEIGHTS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    CONSENT_RECORD_ID_FIELD_NUMBER: _ClassVar[int]
    CONSENT_CHECK_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    REVOKED_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    engine: str
    stock: bool
    sample_rate_hz: int
    language: str
    description: str
    license: str
    weights: str
    state: _common_pb2.State
    progress: _common_pb2.Progress
    error: _common_pb2.ErrorInfo
    dataset_id: str
    speaker: str
    consent_record_id: str
    consent_check: ConsentCheck
    quality: VoiceQuality
    revoked: bool
    revoked_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    labels: _containers.ScalarMap[str, str]
    request_id: str
    options: VoiceBuildOptions
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., engine: _Optional[str] = ..., stock: _Optional[bool] = ..., sample_rate_hz: _Optional[int] = ..., language: _Optional[str] = ..., description: _Optional[str] = ..., license: _Optional[str] = ..., weights: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.State, str]] = ..., progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ErrorInfo, _Mapping]] = ..., dataset_id: _Optional[str] = ..., speaker: _Optional[str] = ..., consent_record_id: _Optional[str] = ..., consent_check: _Optional[_Union[ConsentCheck, _Mapping]] = ..., quality: _Optional[_Union[VoiceQuality, _Mapping]] = ..., revoked: _Optional[bool] = ..., revoked_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., labels: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., options: _Optional[_Union[VoiceBuildOptions, _Mapping]] = ...) -> None: ...

class GetVoiceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListVoicesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVoicesResponse(_message.Message):
    __slots__ = ("voices", "next_page_token")
    VOICES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    voices: _containers.RepeatedCompositeFieldContainer[Voice]
    next_page_token: str
    def __init__(self, voices: _Optional[_Iterable[_Union[Voice, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteVoiceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteVoiceResponse(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class CancelVoiceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class GetConsentRecordRequest(_message.Message):
    __slots__ = ("voice_id", "consent_id")
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    voice_id: str
    consent_id: str
    def __init__(self, voice_id: _Optional[str] = ..., consent_id: _Optional[str] = ...) -> None: ...

class ConsentRecord(_message.Message):
    __slots__ = ("consent_id", "voice_id", "signed_record", "server_public_key", "key_id", "revoked", "revoked_reason", "revoke_time")
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNED_RECORD_FIELD_NUMBER: _ClassVar[int]
    SERVER_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    REVOKED_REASON_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    consent_id: str
    voice_id: str
    signed_record: bytes
    server_public_key: bytes
    key_id: str
    revoked: bool
    revoked_reason: str
    revoke_time: _timestamp_pb2.Timestamp
    def __init__(self, consent_id: _Optional[str] = ..., voice_id: _Optional[str] = ..., signed_record: _Optional[bytes] = ..., server_public_key: _Optional[bytes] = ..., key_id: _Optional[str] = ..., revoked: _Optional[bool] = ..., revoked_reason: _Optional[str] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
