import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetLineageRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class LineageNode(_message.Message):
    __slots__ = ("id", "kind", "name", "revoked", "revoked_reason", "details")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    REVOKED_REASON_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    name: str
    revoked: bool
    revoked_reason: str
    details: _struct_pb2.Struct
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., name: _Optional[str] = ..., revoked: _Optional[bool] = ..., revoked_reason: _Optional[str] = ..., details: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class LineageEdge(_message.Message):
    __slots__ = ("parent", "child", "relation")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CHILD_FIELD_NUMBER: _ClassVar[int]
    RELATION_FIELD_NUMBER: _ClassVar[int]
    parent: str
    child: str
    relation: str
    def __init__(self, parent: _Optional[str] = ..., child: _Optional[str] = ..., relation: _Optional[str] = ...) -> None: ...

class LineageGraph(_message.Message):
    __slots__ = ("id", "nodes", "edges")
    ID_FIELD_NUMBER: _ClassVar[int]
    NODES_FIELD_NUMBER: _ClassVar[int]
    EDGES_FIELD_NUMBER: _ClassVar[int]
    id: str
    nodes: _containers.RepeatedCompositeFieldContainer[LineageNode]
    edges: _containers.RepeatedCompositeFieldContainer[LineageEdge]
    def __init__(self, id: _Optional[str] = ..., nodes: _Optional[_Iterable[_Union[LineageNode, _Mapping]]] = ..., edges: _Optional[_Iterable[_Union[LineageEdge, _Mapping]]] = ...) -> None: ...

class RevokeConsentRequest(_message.Message):
    __slots__ = ("consent_id", "voice_id", "dataset_id", "reason")
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    VOICE_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    consent_id: str
    voice_id: str
    dataset_id: str
    reason: str
    def __init__(self, consent_id: _Optional[str] = ..., voice_id: _Optional[str] = ..., dataset_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RouteFallback(_message.Message):
    __slots__ = ("deployment_id", "route", "revoked", "fallback", "from_revision", "revision")
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    FROM_REVISION_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    deployment_id: str
    route: str
    revoked: str
    fallback: str
    from_revision: int
    revision: int
    def __init__(self, deployment_id: _Optional[str] = ..., route: _Optional[str] = ..., revoked: _Optional[str] = ..., fallback: _Optional[str] = ..., from_revision: _Optional[int] = ..., revision: _Optional[int] = ...) -> None: ...

class RevokeConsentResponse(_message.Message):
    __slots__ = ("consent_id", "revoke_time", "already_revoked", "revoked_voices", "revoked_models", "revoked_datasets", "revoked_fine_tunes", "cancelled_jobs", "deployments")
    CONSENT_ID_FIELD_NUMBER: _ClassVar[int]
    REVOKE_TIME_FIELD_NUMBER: _ClassVar[int]
    ALREADY_REVOKED_FIELD_NUMBER: _ClassVar[int]
    REVOKED_VOICES_FIELD_NUMBER: _ClassVar[int]
    REVOKED_MODELS_FIELD_NUMBER: _ClassVar[int]
    REVOKED_DATASETS_FIELD_NUMBER: _ClassVar[int]
    REVOKED_FINE_TUNES_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_JOBS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    consent_id: str
    revoke_time: _timestamp_pb2.Timestamp
    already_revoked: bool
    revoked_voices: _containers.RepeatedScalarFieldContainer[str]
    revoked_models: _containers.RepeatedScalarFieldContainer[str]
    revoked_datasets: _containers.RepeatedScalarFieldContainer[str]
    revoked_fine_tunes: _containers.RepeatedScalarFieldContainer[str]
    cancelled_jobs: _containers.RepeatedScalarFieldContainer[str]
    deployments: _containers.RepeatedCompositeFieldContainer[RouteFallback]
    def __init__(self, consent_id: _Optional[str] = ..., revoke_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., already_revoked: _Optional[bool] = ..., revoked_voices: _Optional[_Iterable[str]] = ..., revoked_models: _Optional[_Iterable[str]] = ..., revoked_datasets: _Optional[_Iterable[str]] = ..., revoked_fine_tunes: _Optional[_Iterable[str]] = ..., cancelled_jobs: _Optional[_Iterable[str]] = ..., deployments: _Optional[_Iterable[_Union[RouteFallback, _Mapping]]] = ...) -> None: ...
