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

class ValidationOptions(_message.Message):
    __slots__ = ("split", "holdout_fraction", "forgetting_budget", "forgetting_reference")
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    HOLDOUT_FRACTION_FIELD_NUMBER: _ClassVar[int]
    FORGETTING_BUDGET_FIELD_NUMBER: _ClassVar[int]
    FORGETTING_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    split: str
    holdout_fraction: float
    forgetting_budget: float
    forgetting_reference: str
    def __init__(self, split: _Optional[str] = ..., holdout_fraction: _Optional[float] = ..., forgetting_budget: _Optional[float] = ..., forgetting_reference: _Optional[str] = ...) -> None: ...

class CreateFineTuneRequest(_message.Message):
    __slots__ = ("base_model", "dataset_id", "hyperparameters", "validation", "request_id", "labels", "export_formats", "mixin_dataset_id")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    BASE_MODEL_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAMETERS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    EXPORT_FORMATS_FIELD_NUMBER: _ClassVar[int]
    MIXIN_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    base_model: str
    dataset_id: str
    hyperparameters: _struct_pb2.Struct
    validation: ValidationOptions
    request_id: str
    labels: _containers.ScalarMap[str, str]
    export_formats: _containers.RepeatedScalarFieldContainer[str]
    mixin_dataset_id: str
    def __init__(self, base_model: _Optional[str] = ..., dataset_id: _Optional[str] = ..., hyperparameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., validation: _Optional[_Union[ValidationOptions, _Mapping]] = ..., request_id: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., export_formats: _Optional[_Iterable[str]] = ..., mixin_dataset_id: _Optional[str] = ...) -> None: ...

class FineTune(_message.Message):
    __slots__ = ("id", "state", "progress", "error", "create_time", "update_time", "base_model", "dataset_id", "hyperparameters", "validation", "model_id", "metrics", "export_formats", "labels", "request_id", "mixin_dataset_id")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    BASE_MODEL_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    HYPERPARAMETERS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    EXPORT_FORMATS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    MIXIN_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    state: _common_pb2.State
    progress: _common_pb2.Progress
    error: _common_pb2.ErrorInfo
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    base_model: str
    dataset_id: str
    hyperparameters: _struct_pb2.Struct
    validation: ValidationOptions
    model_id: str
    metrics: _struct_pb2.Struct
    export_formats: _containers.RepeatedScalarFieldContainer[str]
    labels: _containers.ScalarMap[str, str]
    request_id: str
    mixin_dataset_id: str
    def __init__(self, id: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.State, str]] = ..., progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ErrorInfo, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., base_model: _Optional[str] = ..., dataset_id: _Optional[str] = ..., hyperparameters: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., validation: _Optional[_Union[ValidationOptions, _Mapping]] = ..., model_id: _Optional[str] = ..., metrics: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., export_formats: _Optional[_Iterable[str]] = ..., labels: _Optional[_Mapping[str, str]] = ..., request_id: _Optional[str] = ..., mixin_dataset_id: _Optional[str] = ...) -> None: ...

class GetFineTuneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListFineTunesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFineTunesResponse(_message.Message):
    __slots__ = ("fine_tunes", "next_page_token")
    FINE_TUNES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    fine_tunes: _containers.RepeatedCompositeFieldContainer[FineTune]
    next_page_token: str
    def __init__(self, fine_tunes: _Optional[_Iterable[_Union[FineTune, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelFineTuneRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...
