import datetime

from adapt.v1 import common_pb2 as _common_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Source(_message.Message):
    __slots__ = ("type", "uri", "options")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    URI_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    type: str
    uri: str
    options: _struct_pb2.Struct
    def __init__(self, type: _Optional[str] = ..., uri: _Optional[str] = ..., options: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class PipelineStep(_message.Message):
    __slots__ = ("step", "params")
    STEP_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    step: str
    params: _struct_pb2.Struct
    def __init__(self, step: _Optional[str] = ..., params: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CreateDatasetRequest(_message.Message):
    __slots__ = ("name", "sources", "pipeline", "request_id", "labels", "language", "provenance")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    sources: _containers.RepeatedCompositeFieldContainer[Source]
    pipeline: _containers.RepeatedCompositeFieldContainer[PipelineStep]
    request_id: str
    labels: _containers.ScalarMap[str, str]
    language: str
    provenance: DatasetProvenance
    def __init__(self, name: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[Source, _Mapping]]] = ..., pipeline: _Optional[_Iterable[_Union[PipelineStep, _Mapping]]] = ..., request_id: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., language: _Optional[str] = ..., provenance: _Optional[_Union[DatasetProvenance, _Mapping]] = ...) -> None: ...

class DatasetProvenance(_message.Message):
    __slots__ = ("consent_basis", "jurisdictions", "collection_start", "collection_end", "document_sha256", "document_uri", "notes", "consent_id", "revoked", "revoked_reason", "revoke_time")
    CONSENT_BASIS_FIELD_NUMBER: _ClassVar[int]
    JURISDICTIONS_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_START_FIELD_NUMBER: _ClassVar[int]
    COLLECTION_END_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_SHA256_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_URI_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    REVOKED_REASON_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    consent_basis: str
    jurisdictions: _containers.RepeatedScalarFieldContainer[str]
    collection_start: str
    collection_end: str
    document_sha256: str
    document_uri: str
    notes: str
    consent_id: str
    revoked: bool
    revoked_reason: str
    revoke_time: _timestamp_pb2.Timestamp
    def __init__(self, consent_basis: _Optional[str] = ..., jurisdictions: _Optional[_Iterable[str]] = ..., collection_start: _Optional[str] = ..., collection_end: _Optional[str] = ..., document_sha256: _Optional[str] = ..., document_uri: _Optional[str] = ..., notes: _Optional[str] = ..., consent_id: _Optional[str] = ..., revoked: _Optional[bool] = ..., revoked_reason: _Optional[str] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WordCount(_message.Message):
    __slots__ = ("word", "count")
    WORD_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    word: str
    count: int
    def __init__(self, word: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class DatasetStats(_message.Message):
    __slots__ = ("hours", "recordings", "utterances", "speakers", "oov_rate", "top_oov_words", "reference_words", "oov_words", "transcribed_recordings", "transcribed_hours", "files_failed", "speech_hours", "diarized_recordings", "diarized_speakers", "aligned_recordings", "aligned_words", "mean_alignment_score", "low_alignment_recordings", "pseudo_utterances", "pseudo_label_share", "redactions", "redacted_recordings", "redacted_seconds", "dropped_utterances", "train_recordings", "train_hours", "train_utterances", "holdout_recordings", "holdout_hours", "holdout_utterances", "oov_lexicon", "oov_note")
    HOURS_FIELD_NUMBER: _ClassVar[int]
    RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    SPEAKERS_FIELD_NUMBER: _ClassVar[int]
    OOV_RATE_FIELD_NUMBER: _ClassVar[int]
    TOP_OOV_WORDS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WORDS_FIELD_NUMBER: _ClassVar[int]
    OOV_WORDS_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIBED_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIBED_HOURS_FIELD_NUMBER: _ClassVar[int]
    FILES_FAILED_FIELD_NUMBER: _ClassVar[int]
    SPEECH_HOURS_FIELD_NUMBER: _ClassVar[int]
    DIARIZED_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    DIARIZED_SPEAKERS_FIELD_NUMBER: _ClassVar[int]
    ALIGNED_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    ALIGNED_WORDS_FIELD_NUMBER: _ClassVar[int]
    MEAN_ALIGNMENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    LOW_ALIGNMENT_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    PSEUDO_UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    PSEUDO_LABEL_SHARE_FIELD_NUMBER: _ClassVar[int]
    REDACTIONS_FIELD_NUMBER: _ClassVar[int]
    REDACTED_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    REDACTED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DROPPED_UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    TRAIN_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    TRAIN_HOURS_FIELD_NUMBER: _ClassVar[int]
    TRAIN_UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    HOLDOUT_RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    HOLDOUT_HOURS_FIELD_NUMBER: _ClassVar[int]
    HOLDOUT_UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    OOV_LEXICON_FIELD_NUMBER: _ClassVar[int]
    OOV_NOTE_FIELD_NUMBER: _ClassVar[int]
    hours: float
    recordings: int
    utterances: int
    speakers: int
    oov_rate: float
    top_oov_words: _containers.RepeatedCompositeFieldContainer[WordCount]
    reference_words: int
    oov_words: int
    transcribed_recordings: int
    transcribed_hours: float
    files_failed: int
    speech_hours: float
    diarized_recordings: int
    diarized_speakers: int
    aligned_recordings: int
    aligned_words: int
    mean_alignment_score: float
    low_alignment_recordings: int
    pseudo_utterances: int
    pseudo_label_share: float
    redactions: _containers.RepeatedCompositeFieldContainer[EntityCount]
    redacted_recordings: int
    redacted_seconds: float
    dropped_utterances: int
    train_recordings: int
    train_hours: float
    train_utterances: int
    holdout_recordings: int
    holdout_hours: float
    holdout_utterances: int
    oov_lexicon: str
    oov_note: str
    def __init__(self, hours: _Optional[float] = ..., recordings: _Optional[int] = ..., utterances: _Optional[int] = ..., speakers: _Optional[int] = ..., oov_rate: _Optional[float] = ..., top_oov_words: _Optional[_Iterable[_Union[WordCount, _Mapping]]] = ..., reference_words: _Optional[int] = ..., oov_words: _Optional[int] = ..., transcribed_recordings: _Optional[int] = ..., transcribed_hours: _Optional[float] = ..., files_failed: _Optional[int] = ..., speech_hours: _Optional[float] = ..., diarized_recordings: _Optional[int] = ..., diarized_speakers: _Optional[int] = ..., aligned_recordings: _Optional[int] = ..., aligned_words: _Optional[int] = ..., mean_alignment_score: _Optional[float] = ..., low_alignment_recordings: _Optional[int] = ..., pseudo_utterances: _Optional[int] = ..., pseudo_label_share: _Optional[float] = ..., redactions: _Optional[_Iterable[_Union[EntityCount, _Mapping]]] = ..., redacted_recordings: _Optional[int] = ..., redacted_seconds: _Optional[float] = ..., dropped_utterances: _Optional[int] = ..., train_recordings: _Optional[int] = ..., train_hours: _Optional[float] = ..., train_utterances: _Optional[int] = ..., holdout_recordings: _Optional[int] = ..., holdout_hours: _Optional[float] = ..., holdout_utterances: _Optional[int] = ..., oov_lexicon: _Optional[str] = ..., oov_note: _Optional[str] = ...) -> None: ...

class EntityCount(_message.Message):
    __slots__ = ("entity_type", "count")
    ENTITY_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    entity_type: str
    count: int
    def __init__(self, entity_type: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class FileIssue(_message.Message):
    __slots__ = ("uri", "stage", "reason")
    URI_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    uri: str
    stage: str
    reason: str
    def __init__(self, uri: _Optional[str] = ..., stage: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class Dataset(_message.Message):
    __slots__ = ("id", "name", "state", "progress", "error", "create_time", "update_time", "sources", "pipeline", "stats", "file_issues", "labels", "request_id", "language", "provenance")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_FIELD_NUMBER: _ClassVar[int]
    STATS_FIELD_NUMBER: _ClassVar[int]
    FILE_ISSUES_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    PROVENANCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    state: _common_pb2.State
    progress: _common_pb2.Progress
    error: _common_pb2.ErrorInfo
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    sources: _containers.RepeatedCompositeFieldContainer[Source]
    pipeline: _containers.RepeatedCompositeFieldContainer[PipelineStep]
    stats: DatasetStats
    file_issues: _containers.RepeatedCompositeFieldContainer[FileIssue]
    labels: _containers.ScalarMap[str, str]
    request_id: str
    language: str
    provenance: DatasetProvenance
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.State, str]] = ..., progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ErrorInfo, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., sources: _Optional[_Iterable[_Union[Source, _Mapping]]] = ..., pipeline: _Optional[_Iterable[_Union[PipelineStep, _Mapping]]] = ..., stats: _Optional[_Union[DatasetStats, _Mapping]] = ..., file_issues: _Optional[_Iterable[_Union[FileIssue, _Mapping]]] = ..., labels: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., language: _Optional[str] = ..., provenance: _Optional[_Union[DatasetProvenance, _Mapping]] = ...) -> None: ...

class GetDatasetRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListDatasetsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListDatasetsResponse(_message.Message):
    __slots__ = ("datasets", "next_page_token")
    DATASETS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    datasets: _containers.RepeatedCompositeFieldContainer[Dataset]
    next_page_token: str
    def __init__(self, datasets: _Optional[_Iterable[_Union[Dataset, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteDatasetRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteDatasetResponse(_message.Message):
    __slots__ = ("id", "blobs_removed")
    ID_FIELD_NUMBER: _ClassVar[int]
    BLOBS_REMOVED_FIELD_NUMBER: _ClassVar[int]
    id: str
    blobs_removed: int
    def __init__(self, id: _Optional[str] = ..., blobs_removed: _Optional[int] = ...) -> None: ...

class CancelDatasetRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class Recording(_message.Message):
    __slots__ = ("id", "dataset_id", "source_uri", "channel", "duration_s", "audio_sha256", "source_sample_rate", "source_channels", "source_codec", "transcript_format", "utterances", "speakers", "speech_s", "alignment_score", "redacted", "split")
    ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_URI_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    AUDIO_SHA256_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SAMPLE_RATE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CHANNELS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_CODEC_FIELD_NUMBER: _ClassVar[int]
    TRANSCRIPT_FORMAT_FIELD_NUMBER: _ClassVar[int]
    UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    SPEAKERS_FIELD_NUMBER: _ClassVar[int]
    SPEECH_S_FIELD_NUMBER: _ClassVar[int]
    ALIGNMENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    REDACTED_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    id: str
    dataset_id: str
    source_uri: str
    channel: int
    duration_s: float
    audio_sha256: str
    source_sample_rate: int
    source_channels: int
    source_codec: str
    transcript_format: str
    utterances: int
    speakers: _containers.RepeatedScalarFieldContainer[str]
    speech_s: float
    alignment_score: float
    redacted: bool
    split: str
    def __init__(self, id: _Optional[str] = ..., dataset_id: _Optional[str] = ..., source_uri: _Optional[str] = ..., channel: _Optional[int] = ..., duration_s: _Optional[float] = ..., audio_sha256: _Optional[str] = ..., source_sample_rate: _Optional[int] = ..., source_channels: _Optional[int] = ..., source_codec: _Optional[str] = ..., transcript_format: _Optional[str] = ..., utterances: _Optional[int] = ..., speakers: _Optional[_Iterable[str]] = ..., speech_s: _Optional[float] = ..., alignment_score: _Optional[float] = ..., redacted: _Optional[bool] = ..., split: _Optional[str] = ...) -> None: ...

class ListRecordingsRequest(_message.Message):
    __slots__ = ("dataset_id", "page_size", "page_token")
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    dataset_id: str
    page_size: int
    page_token: str
    def __init__(self, dataset_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRecordingsResponse(_message.Message):
    __slots__ = ("recordings", "next_page_token")
    RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    recordings: _containers.RepeatedCompositeFieldContainer[Recording]
    next_page_token: str
    def __init__(self, recordings: _Optional[_Iterable[_Union[Recording, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExportDatasetRequest(_message.Message):
    __slots__ = ("dataset_id", "format", "split")
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    dataset_id: str
    format: str
    split: str
    def __init__(self, dataset_id: _Optional[str] = ..., format: _Optional[str] = ..., split: _Optional[str] = ...) -> None: ...

class ExportDatasetResponse(_message.Message):
    __slots__ = ("format", "text", "records")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    format: str
    text: str
    records: int
    def __init__(self, format: _Optional[str] = ..., text: _Optional[str] = ..., records: _Optional[int] = ...) -> None: ...
