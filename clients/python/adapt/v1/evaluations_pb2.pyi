import datetime

from adapt.v1 import common_pb2 as _common_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Gates(_message.Message):
    __slots__ = ("max_rtf", "max_hallucination_rate", "max_reference_regression", "reference_dataset_id", "reference_baseline", "reference_metric")
    MAX_RTF_FIELD_NUMBER: _ClassVar[int]
    MAX_HALLUCINATION_RATE_FIELD_NUMBER: _ClassVar[int]
    MAX_REFERENCE_REGRESSION_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_BASELINE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_METRIC_FIELD_NUMBER: _ClassVar[int]
    max_rtf: float
    max_hallucination_rate: float
    max_reference_regression: float
    reference_dataset_id: str
    reference_baseline: str
    reference_metric: str
    def __init__(self, max_rtf: _Optional[float] = ..., max_hallucination_rate: _Optional[float] = ..., max_reference_regression: _Optional[float] = ..., reference_dataset_id: _Optional[str] = ..., reference_baseline: _Optional[str] = ..., reference_metric: _Optional[str] = ...) -> None: ...

class CreateEvaluationRequest(_message.Message):
    __slots__ = ("dataset_id", "candidates", "metrics", "split", "primary_metric", "normalizer", "gates", "request_id", "name", "labels")
    class LabelsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    NORMALIZER_FIELD_NUMBER: _ClassVar[int]
    GATES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    dataset_id: str
    candidates: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    split: str
    primary_metric: str
    normalizer: str
    gates: Gates
    request_id: str
    name: str
    labels: _containers.ScalarMap[str, str]
    def __init__(self, dataset_id: _Optional[str] = ..., candidates: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Iterable[str]] = ..., split: _Optional[str] = ..., primary_metric: _Optional[str] = ..., normalizer: _Optional[str] = ..., gates: _Optional[_Union[Gates, _Mapping]] = ..., request_id: _Optional[str] = ..., name: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Interval(_message.Message):
    __slots__ = ("low", "high", "level")
    LOW_FIELD_NUMBER: _ClassVar[int]
    HIGH_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    low: float
    high: float
    level: float
    def __init__(self, low: _Optional[float] = ..., high: _Optional[float] = ..., level: _Optional[float] = ...) -> None: ...

class LeaderboardRow(_message.Message):
    __slots__ = ("model_id", "kind", "utterances", "recordings", "wer", "wer_ci", "cer", "cer_ci", "rtf", "rtf_ci", "der", "der_ci", "hallucination_rate", "hallucination_rate_ci", "nonspeech_words_per_hour", "repetition_loops", "reference_words", "substitutions", "deletions", "insertions", "bootstrap_unit", "audio_s", "processing_s", "missed_s", "false_alarm_s", "confusion_s", "reference_speech_s", "reference_wer", "reference_wer_ci")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    RECORDINGS_FIELD_NUMBER: _ClassVar[int]
    WER_FIELD_NUMBER: _ClassVar[int]
    WER_CI_FIELD_NUMBER: _ClassVar[int]
    CER_FIELD_NUMBER: _ClassVar[int]
    CER_CI_FIELD_NUMBER: _ClassVar[int]
    RTF_FIELD_NUMBER: _ClassVar[int]
    RTF_CI_FIELD_NUMBER: _ClassVar[int]
    DER_FIELD_NUMBER: _ClassVar[int]
    DER_CI_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATION_RATE_FIELD_NUMBER: _ClassVar[int]
    HALLUCINATION_RATE_CI_FIELD_NUMBER: _ClassVar[int]
    NONSPEECH_WORDS_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    REPETITION_LOOPS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WORDS_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTIONS_FIELD_NUMBER: _ClassVar[int]
    DELETIONS_FIELD_NUMBER: _ClassVar[int]
    INSERTIONS_FIELD_NUMBER: _ClassVar[int]
    BOOTSTRAP_UNIT_FIELD_NUMBER: _ClassVar[int]
    AUDIO_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_S_FIELD_NUMBER: _ClassVar[int]
    MISSED_S_FIELD_NUMBER: _ClassVar[int]
    FALSE_ALARM_S_FIELD_NUMBER: _ClassVar[int]
    CONFUSION_S_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_SPEECH_S_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WER_CI_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    kind: str
    utterances: int
    recordings: int
    wer: float
    wer_ci: Interval
    cer: float
    cer_ci: Interval
    rtf: float
    rtf_ci: Interval
    der: float
    der_ci: Interval
    hallucination_rate: float
    hallucination_rate_ci: Interval
    nonspeech_words_per_hour: float
    repetition_loops: int
    reference_words: int
    substitutions: int
    deletions: int
    insertions: int
    bootstrap_unit: str
    audio_s: float
    processing_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    reference_speech_s: float
    reference_wer: float
    reference_wer_ci: Interval
    def __init__(self, model_id: _Optional[str] = ..., kind: _Optional[str] = ..., utterances: _Optional[int] = ..., recordings: _Optional[int] = ..., wer: _Optional[float] = ..., wer_ci: _Optional[_Union[Interval, _Mapping]] = ..., cer: _Optional[float] = ..., cer_ci: _Optional[_Union[Interval, _Mapping]] = ..., rtf: _Optional[float] = ..., rtf_ci: _Optional[_Union[Interval, _Mapping]] = ..., der: _Optional[float] = ..., der_ci: _Optional[_Union[Interval, _Mapping]] = ..., hallucination_rate: _Optional[float] = ..., hallucination_rate_ci: _Optional[_Union[Interval, _Mapping]] = ..., nonspeech_words_per_hour: _Optional[float] = ..., repetition_loops: _Optional[int] = ..., reference_words: _Optional[int] = ..., substitutions: _Optional[int] = ..., deletions: _Optional[int] = ..., insertions: _Optional[int] = ..., bootstrap_unit: _Optional[str] = ..., audio_s: _Optional[float] = ..., processing_s: _Optional[float] = ..., missed_s: _Optional[float] = ..., false_alarm_s: _Optional[float] = ..., confusion_s: _Optional[float] = ..., reference_speech_s: _Optional[float] = ..., reference_wer: _Optional[float] = ..., reference_wer_ci: _Optional[_Union[Interval, _Mapping]] = ...) -> None: ...

class GateResult(_message.Message):
    __slots__ = ("model_id", "gate", "limit", "measured", "passed", "detail")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    GATE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    MEASURED_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    gate: str
    limit: float
    measured: float
    passed: bool
    detail: str
    def __init__(self, model_id: _Optional[str] = ..., gate: _Optional[str] = ..., limit: _Optional[float] = ..., measured: _Optional[float] = ..., passed: _Optional[bool] = ..., detail: _Optional[str] = ...) -> None: ...

class PairwiseComparison(_message.Message):
    __slots__ = ("leader", "other", "metric", "difference", "ci", "probability_leader_better", "units")
    LEADER_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    CI_FIELD_NUMBER: _ClassVar[int]
    PROBABILITY_LEADER_BETTER_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    leader: str
    other: str
    metric: str
    difference: float
    ci: Interval
    probability_leader_better: float
    units: int
    def __init__(self, leader: _Optional[str] = ..., other: _Optional[str] = ..., metric: _Optional[str] = ..., difference: _Optional[float] = ..., ci: _Optional[_Union[Interval, _Mapping]] = ..., probability_leader_better: _Optional[float] = ..., units: _Optional[int] = ...) -> None: ...

class SliceResult(_message.Message):
    __slots__ = ("model_id", "by", "key", "utterances", "reference_words", "wer", "wer_ci", "cer", "rtf", "substitutions", "deletions", "insertions")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WORDS_FIELD_NUMBER: _ClassVar[int]
    WER_FIELD_NUMBER: _ClassVar[int]
    WER_CI_FIELD_NUMBER: _ClassVar[int]
    CER_FIELD_NUMBER: _ClassVar[int]
    RTF_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTIONS_FIELD_NUMBER: _ClassVar[int]
    DELETIONS_FIELD_NUMBER: _ClassVar[int]
    INSERTIONS_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    by: str
    key: str
    utterances: int
    reference_words: int
    wer: float
    wer_ci: Interval
    cer: float
    rtf: float
    substitutions: int
    deletions: int
    insertions: int
    def __init__(self, model_id: _Optional[str] = ..., by: _Optional[str] = ..., key: _Optional[str] = ..., utterances: _Optional[int] = ..., reference_words: _Optional[int] = ..., wer: _Optional[float] = ..., wer_ci: _Optional[_Union[Interval, _Mapping]] = ..., cer: _Optional[float] = ..., rtf: _Optional[float] = ..., substitutions: _Optional[int] = ..., deletions: _Optional[int] = ..., insertions: _Optional[int] = ...) -> None: ...

class WrongWord(_message.Message):
    __slots__ = ("model_id", "word", "errors", "substitutions", "deletions", "top_hypothesis", "top_hypothesis_count")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    WORD_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTIONS_FIELD_NUMBER: _ClassVar[int]
    DELETIONS_FIELD_NUMBER: _ClassVar[int]
    TOP_HYPOTHESIS_FIELD_NUMBER: _ClassVar[int]
    TOP_HYPOTHESIS_COUNT_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    word: str
    errors: int
    substitutions: int
    deletions: int
    top_hypothesis: str
    top_hypothesis_count: int
    def __init__(self, model_id: _Optional[str] = ..., word: _Optional[str] = ..., errors: _Optional[int] = ..., substitutions: _Optional[int] = ..., deletions: _Optional[int] = ..., top_hypothesis: _Optional[str] = ..., top_hypothesis_count: _Optional[int] = ...) -> None: ...

class SpeakerTurn(_message.Message):
    __slots__ = ("start", "end", "speaker")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    speaker: str
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ..., speaker: _Optional[str] = ...) -> None: ...

class RecordingDiarization(_message.Message):
    __slots__ = ("model_id", "recording_id", "reference_s", "missed_s", "false_alarm_s", "confusion_s", "der", "hypothesis_turns", "audio_s", "processing_s")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDING_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_S_FIELD_NUMBER: _ClassVar[int]
    MISSED_S_FIELD_NUMBER: _ClassVar[int]
    FALSE_ALARM_S_FIELD_NUMBER: _ClassVar[int]
    CONFUSION_S_FIELD_NUMBER: _ClassVar[int]
    DER_FIELD_NUMBER: _ClassVar[int]
    HYPOTHESIS_TURNS_FIELD_NUMBER: _ClassVar[int]
    AUDIO_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_S_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    recording_id: str
    reference_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    der: float
    hypothesis_turns: _containers.RepeatedCompositeFieldContainer[SpeakerTurn]
    audio_s: float
    processing_s: float
    def __init__(self, model_id: _Optional[str] = ..., recording_id: _Optional[str] = ..., reference_s: _Optional[float] = ..., missed_s: _Optional[float] = ..., false_alarm_s: _Optional[float] = ..., confusion_s: _Optional[float] = ..., der: _Optional[float] = ..., hypothesis_turns: _Optional[_Iterable[_Union[SpeakerTurn, _Mapping]]] = ..., audio_s: _Optional[float] = ..., processing_s: _Optional[float] = ...) -> None: ...

class EvaluationResult(_message.Message):
    __slots__ = ("leaderboard", "winner", "reason", "primary_metric", "leader", "gate_results", "comparisons", "slices", "wrong_words", "diarization", "notes", "reference_leaderboard")
    LEADERBOARD_FIELD_NUMBER: _ClassVar[int]
    WINNER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    LEADER_FIELD_NUMBER: _ClassVar[int]
    GATE_RESULTS_FIELD_NUMBER: _ClassVar[int]
    COMPARISONS_FIELD_NUMBER: _ClassVar[int]
    SLICES_FIELD_NUMBER: _ClassVar[int]
    WRONG_WORDS_FIELD_NUMBER: _ClassVar[int]
    DIARIZATION_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_LEADERBOARD_FIELD_NUMBER: _ClassVar[int]
    leaderboard: _containers.RepeatedCompositeFieldContainer[LeaderboardRow]
    winner: str
    reason: str
    primary_metric: str
    leader: str
    gate_results: _containers.RepeatedCompositeFieldContainer[GateResult]
    comparisons: _containers.RepeatedCompositeFieldContainer[PairwiseComparison]
    slices: _containers.RepeatedCompositeFieldContainer[SliceResult]
    wrong_words: _containers.RepeatedCompositeFieldContainer[WrongWord]
    diarization: _containers.RepeatedCompositeFieldContainer[RecordingDiarization]
    notes: _containers.RepeatedScalarFieldContainer[str]
    reference_leaderboard: _containers.RepeatedCompositeFieldContainer[LeaderboardRow]
    def __init__(self, leaderboard: _Optional[_Iterable[_Union[LeaderboardRow, _Mapping]]] = ..., winner: _Optional[str] = ..., reason: _Optional[str] = ..., primary_metric: _Optional[str] = ..., leader: _Optional[str] = ..., gate_results: _Optional[_Iterable[_Union[GateResult, _Mapping]]] = ..., comparisons: _Optional[_Iterable[_Union[PairwiseComparison, _Mapping]]] = ..., slices: _Optional[_Iterable[_Union[SliceResult, _Mapping]]] = ..., wrong_words: _Optional[_Iterable[_Union[WrongWord, _Mapping]]] = ..., diarization: _Optional[_Iterable[_Union[RecordingDiarization, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ..., reference_leaderboard: _Optional[_Iterable[_Union[LeaderboardRow, _Mapping]]] = ...) -> None: ...

class Evaluation(_message.Message):
    __slots__ = ("id", "name", "state", "progress", "error", "create_time", "update_time", "dataset_id", "candidates", "metrics", "split", "primary_metric", "normalizer", "gates", "request_id", "labels", "result")
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
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    CANDIDATES_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    PRIMARY_METRIC_FIELD_NUMBER: _ClassVar[int]
    NORMALIZER_FIELD_NUMBER: _ClassVar[int]
    GATES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    state: _common_pb2.State
    progress: _common_pb2.Progress
    error: _common_pb2.ErrorInfo
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    dataset_id: str
    candidates: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.RepeatedScalarFieldContainer[str]
    split: str
    primary_metric: str
    normalizer: str
    gates: Gates
    request_id: str
    labels: _containers.ScalarMap[str, str]
    result: EvaluationResult
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.State, str]] = ..., progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ErrorInfo, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., dataset_id: _Optional[str] = ..., candidates: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Iterable[str]] = ..., split: _Optional[str] = ..., primary_metric: _Optional[str] = ..., normalizer: _Optional[str] = ..., gates: _Optional[_Union[Gates, _Mapping]] = ..., request_id: _Optional[str] = ..., labels: _Optional[_Mapping[str, str]] = ..., result: _Optional[_Union[EvaluationResult, _Mapping]] = ...) -> None: ...

class GetEvaluationRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListEvaluationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "dataset_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    dataset_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., dataset_id: _Optional[str] = ...) -> None: ...

class ListEvaluationsResponse(_message.Message):
    __slots__ = ("evaluations", "next_page_token")
    EVALUATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    evaluations: _containers.RepeatedCompositeFieldContainer[Evaluation]
    next_page_token: str
    def __init__(self, evaluations: _Optional[_Iterable[_Union[Evaluation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelEvaluationRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteEvaluationRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteEvaluationResponse(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class AlignedWord(_message.Message):
    __slots__ = ("op", "ref", "hyp")
    OP_FIELD_NUMBER: _ClassVar[int]
    REF_FIELD_NUMBER: _ClassVar[int]
    HYP_FIELD_NUMBER: _ClassVar[int]
    op: str
    ref: str
    hyp: str
    def __init__(self, op: _Optional[str] = ..., ref: _Optional[str] = ..., hyp: _Optional[str] = ...) -> None: ...

class UtteranceResult(_message.Message):
    __slots__ = ("model_id", "utterance_id", "recording_id", "speaker", "source", "reference", "hypothesis", "reference_normalized", "hypothesis_normalized", "reference_words", "substitutions", "deletions", "insertions", "wer", "audio_s", "processing_s", "repetition_loop", "nonspeech_words", "alignment", "start", "end")
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    UTTERANCE_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDING_ID_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    HYPOTHESIS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_NORMALIZED_FIELD_NUMBER: _ClassVar[int]
    HYPOTHESIS_NORMALIZED_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_WORDS_FIELD_NUMBER: _ClassVar[int]
    SUBSTITUTIONS_FIELD_NUMBER: _ClassVar[int]
    DELETIONS_FIELD_NUMBER: _ClassVar[int]
    INSERTIONS_FIELD_NUMBER: _ClassVar[int]
    WER_FIELD_NUMBER: _ClassVar[int]
    AUDIO_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_S_FIELD_NUMBER: _ClassVar[int]
    REPETITION_LOOP_FIELD_NUMBER: _ClassVar[int]
    NONSPEECH_WORDS_FIELD_NUMBER: _ClassVar[int]
    ALIGNMENT_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    model_id: str
    utterance_id: str
    recording_id: str
    speaker: str
    source: str
    reference: str
    hypothesis: str
    reference_normalized: str
    hypothesis_normalized: str
    reference_words: int
    substitutions: int
    deletions: int
    insertions: int
    wer: float
    audio_s: float
    processing_s: float
    repetition_loop: bool
    nonspeech_words: int
    alignment: _containers.RepeatedCompositeFieldContainer[AlignedWord]
    start: float
    end: float
    def __init__(self, model_id: _Optional[str] = ..., utterance_id: _Optional[str] = ..., recording_id: _Optional[str] = ..., speaker: _Optional[str] = ..., source: _Optional[str] = ..., reference: _Optional[str] = ..., hypothesis: _Optional[str] = ..., reference_normalized: _Optional[str] = ..., hypothesis_normalized: _Optional[str] = ..., reference_words: _Optional[int] = ..., substitutions: _Optional[int] = ..., deletions: _Optional[int] = ..., insertions: _Optional[int] = ..., wer: _Optional[float] = ..., audio_s: _Optional[float] = ..., processing_s: _Optional[float] = ..., repetition_loop: _Optional[bool] = ..., nonspeech_words: _Optional[int] = ..., alignment: _Optional[_Iterable[_Union[AlignedWord, _Mapping]]] = ..., start: _Optional[float] = ..., end: _Optional[float] = ...) -> None: ...

class ListUtteranceResultsRequest(_message.Message):
    __slots__ = ("evaluation_id", "model_id", "errors_only", "page_size", "page_token")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    ERRORS_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    model_id: str
    errors_only: bool
    page_size: int
    page_token: str
    def __init__(self, evaluation_id: _Optional[str] = ..., model_id: _Optional[str] = ..., errors_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUtteranceResultsResponse(_message.Message):
    __slots__ = ("utterances", "next_page_token")
    UTTERANCES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    utterances: _containers.RepeatedCompositeFieldContainer[UtteranceResult]
    next_page_token: str
    def __init__(self, utterances: _Optional[_Iterable[_Union[UtteranceResult, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
