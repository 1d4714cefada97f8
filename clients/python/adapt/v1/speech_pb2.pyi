from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AudioEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_ENCODING_UNSPECIFIED: _ClassVar[AudioEncoding]
    LINEAR16: _ClassVar[AudioEncoding]
    ENCODED: _ClassVar[AudioEncoding]

class SpeechEncoding(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPEECH_ENCODING_UNSPECIFIED: _ClassVar[SpeechEncoding]
    SPEECH_ENCODING_WAV: _ClassVar[SpeechEncoding]
    SPEECH_ENCODING_PCM16: _ClassVar[SpeechEncoding]
    SPEECH_ENCODING_MULAW: _ClassVar[SpeechEncoding]
    SPEECH_ENCODING_OGG_OPUS: _ClassVar[SpeechEncoding]
AUDIO_ENCODING_UNSPECIFIED: AudioEncoding
LINEAR16: AudioEncoding
ENCODED: AudioEncoding
SPEECH_ENCODING_UNSPECIFIED: SpeechEncoding
SPEECH_ENCODING_WAV: SpeechEncoding
SPEECH_ENCODING_PCM16: SpeechEncoding
SPEECH_ENCODING_MULAW: SpeechEncoding
SPEECH_ENCODING_OGG_OPUS: SpeechEncoding

class RecognitionConfig(_message.Message):
    __slots__ = ("model", "deployment_id", "beam_size", "compute_type", "disable_word_timestamps", "initial_prompt", "hotwords", "temperatures", "routing_key", "language")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BEAM_SIZE_FIELD_NUMBER: _ClassVar[int]
    COMPUTE_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISABLE_WORD_TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    INITIAL_PROMPT_FIELD_NUMBER: _ClassVar[int]
    HOTWORDS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURES_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    model: str
    deployment_id: str
    beam_size: int
    compute_type: str
    disable_word_timestamps: bool
    initial_prompt: str
    hotwords: str
    temperatures: _containers.RepeatedScalarFieldContainer[float]
    routing_key: str
    language: str
    def __init__(self, model: _Optional[str] = ..., deployment_id: _Optional[str] = ..., beam_size: _Optional[int] = ..., compute_type: _Optional[str] = ..., disable_word_timestamps: _Optional[bool] = ..., initial_prompt: _Optional[str] = ..., hotwords: _Optional[str] = ..., temperatures: _Optional[_Iterable[float]] = ..., routing_key: _Optional[str] = ..., language: _Optional[str] = ...) -> None: ...

class RecordingRef(_message.Message):
    __slots__ = ("dataset_id", "recording_id")
    DATASET_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDING_ID_FIELD_NUMBER: _ClassVar[int]
    dataset_id: str
    recording_id: str
    def __init__(self, dataset_id: _Optional[str] = ..., recording_id: _Optional[str] = ...) -> None: ...

class TranscribeRequest(_message.Message):
    __slots__ = ("config", "audio", "recording", "encoding", "sample_rate_hz", "channels")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    config: RecognitionConfig
    audio: bytes
    recording: RecordingRef
    encoding: AudioEncoding
    sample_rate_hz: int
    channels: int
    def __init__(self, config: _Optional[_Union[RecognitionConfig, _Mapping]] = ..., audio: _Optional[bytes] = ..., recording: _Optional[_Union[RecordingRef, _Mapping]] = ..., encoding: _Optional[_Union[AudioEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., channels: _Optional[int] = ...) -> None: ...

class Word(_message.Message):
    __slots__ = ("start", "end", "text", "confidence")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    text: str
    confidence: float
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ..., text: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("start", "end", "text", "words", "confidence", "avg_logprob", "no_speech_prob", "compression_ratio", "temperature")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    WORDS_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    AVG_LOGPROB_FIELD_NUMBER: _ClassVar[int]
    NO_SPEECH_PROB_FIELD_NUMBER: _ClassVar[int]
    COMPRESSION_RATIO_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    text: str
    words: _containers.RepeatedCompositeFieldContainer[Word]
    confidence: float
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    temperature: float
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ..., text: _Optional[str] = ..., words: _Optional[_Iterable[_Union[Word, _Mapping]]] = ..., confidence: _Optional[float] = ..., avg_logprob: _Optional[float] = ..., no_speech_prob: _Optional[float] = ..., compression_ratio: _Optional[float] = ..., temperature: _Optional[float] = ...) -> None: ...

class TimeRange(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: float
    end: float
    def __init__(self, start: _Optional[float] = ..., end: _Optional[float] = ...) -> None: ...

class TranscribeResponse(_message.Message):
    __slots__ = ("model", "text", "segments", "non_speech", "duration_s", "processing_s", "realtime_factor", "language")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    NON_SPEECH_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_S_FIELD_NUMBER: _ClassVar[int]
    REALTIME_FACTOR_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    model: str
    text: str
    segments: _containers.RepeatedCompositeFieldContainer[Segment]
    non_speech: _containers.RepeatedCompositeFieldContainer[TimeRange]
    duration_s: float
    processing_s: float
    realtime_factor: float
    language: str
    def __init__(self, model: _Optional[str] = ..., text: _Optional[str] = ..., segments: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ..., non_speech: _Optional[_Iterable[_Union[TimeRange, _Mapping]]] = ..., duration_s: _Optional[float] = ..., processing_s: _Optional[float] = ..., realtime_factor: _Optional[float] = ..., language: _Optional[str] = ...) -> None: ...

class StreamingConfig(_message.Message):
    __slots__ = ("recognition", "encoding", "sample_rate_hz", "channels", "disable_interim_results", "endpoint_silence_s")
    RECOGNITION_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    CHANNELS_FIELD_NUMBER: _ClassVar[int]
    DISABLE_INTERIM_RESULTS_FIELD_NUMBER: _ClassVar[int]
    ENDPOINT_SILENCE_S_FIELD_NUMBER: _ClassVar[int]
    recognition: RecognitionConfig
    encoding: AudioEncoding
    sample_rate_hz: int
    channels: int
    disable_interim_results: bool
    endpoint_silence_s: float
    def __init__(self, recognition: _Optional[_Union[RecognitionConfig, _Mapping]] = ..., encoding: _Optional[_Union[AudioEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., channels: _Optional[int] = ..., disable_interim_results: _Optional[bool] = ..., endpoint_silence_s: _Optional[float] = ...) -> None: ...

class StreamingTranscribeRequest(_message.Message):
    __slots__ = ("config", "audio")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    config: StreamingConfig
    audio: bytes
    def __init__(self, config: _Optional[_Union[StreamingConfig, _Mapping]] = ..., audio: _Optional[bytes] = ...) -> None: ...

class StreamingTranscribeResponse(_message.Message):
    __slots__ = ("is_final", "text", "stable_text", "words", "start", "end", "utterance_index", "model", "audio_received_s", "confidence", "language")
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    STABLE_TEXT_FIELD_NUMBER: _ClassVar[int]
    WORDS_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    UTTERANCE_INDEX_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    AUDIO_RECEIVED_S_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    is_final: bool
    text: str
    stable_text: str
    words: _containers.RepeatedCompositeFieldContainer[Word]
    start: float
    end: float
    utterance_index: int
    model: str
    audio_received_s: float
    confidence: float
    language: str
    def __init__(self, is_final: _Optional[bool] = ..., text: _Optional[str] = ..., stable_text: _Optional[str] = ..., words: _Optional[_Iterable[_Union[Word, _Mapping]]] = ..., start: _Optional[float] = ..., end: _Optional[float] = ..., utterance_index: _Optional[int] = ..., model: _Optional[str] = ..., audio_received_s: _Optional[float] = ..., confidence: _Optional[float] = ..., language: _Optional[str] = ...) -> None: ...

class SynthesizeRequest(_message.Message):
    __slots__ = ("text", "voice", "deployment_id", "encoding", "sample_rate_hz", "speaking_rate", "routing_key")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    SPEAKING_RATE_FIELD_NUMBER: _ClassVar[int]
    ROUTING_KEY_FIELD_NUMBER: _ClassVar[int]
    text: str
    voice: str
    deployment_id: str
    encoding: SpeechEncoding
    sample_rate_hz: int
    speaking_rate: float
    routing_key: str
    def __init__(self, text: _Optional[str] = ..., voice: _Optional[str] = ..., deployment_id: _Optional[str] = ..., encoding: _Optional[_Union[SpeechEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., speaking_rate: _Optional[float] = ..., routing_key: _Optional[str] = ...) -> None: ...

class SynthesizeResponse(_message.Message):
    __slots__ = ("audio", "voice", "encoding", "sample_rate_hz", "mime_type", "duration_s", "processing_s", "realtime_factor")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    PROCESSING_S_FIELD_NUMBER: _ClassVar[int]
    REALTIME_FACTOR_FIELD_NUMBER: _ClassVar[int]
    audio: bytes
    voice: str
    encoding: SpeechEncoding
    sample_rate_hz: int
    mime_type: str
    duration_s: float
    processing_s: float
    realtime_factor: float
    def __init__(self, audio: _Optional[bytes] = ..., voice: _Optional[str] = ..., encoding: _Optional[_Union[SpeechEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., mime_type: _Optional[str] = ..., duration_s: _Optional[float] = ..., processing_s: _Optional[float] = ..., realtime_factor: _Optional[float] = ...) -> None: ...

class SynthesizeChunk(_message.Message):
    __slots__ = ("audio", "index", "text", "start_s", "duration_s", "last", "voice", "encoding", "sample_rate_hz", "mime_type")
    AUDIO_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    START_S_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    ENCODING_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_RATE_HZ_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    audio: bytes
    index: int
    text: str
    start_s: float
    duration_s: float
    last: bool
    voice: str
    encoding: SpeechEncoding
    sample_rate_hz: int
    mime_type: str
    def __init__(self, audio: _Optional[bytes] = ..., index: _Optional[int] = ..., text: _Optional[str] = ..., start_s: _Optional[float] = ..., duration_s: _Optional[float] = ..., last: _Optional[bool] = ..., voice: _Optional[str] = ..., encoding: _Optional[_Union[SpeechEncoding, str]] = ..., sample_rate_hz: _Optional[int] = ..., mime_type: _Optional[str] = ...) -> None: ...
