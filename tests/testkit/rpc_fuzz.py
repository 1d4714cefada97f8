"""Fuzzing every RPC of every Adapt service against a real server (issue 16, "suites that stay").

For each method: a valid request (SEEDS, else the empty message), then hypothesis-generated variants of it:
- raw bytes: the serialized valid request with bytes flipped, inserted, deleted or cut short;
- field values: one field (top level or one level down) set to an edge value of its type (huge or odd strings
  with NUL and newlines, int64 extremes, NaN/infinity, unknown enum numbers, thousands of repeated items or map
  entries, deep or non-finite Structs);
- random bytes as the whole message.
Client-streaming calls (StreamingTranscribe) get a sequence of such messages. Every call carries a deadline.

`classify` sorts an outcome: "ok", a status name, or one of the failures the suite counts: "internal" (our
INTERNAL), "unknown" (an UNKNOWN that is not gRPC's own refusal of a message it cannot parse), "hang" (the
deadline passed).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import grpc
from google.protobuf import struct_pb2
from google.protobuf.descriptor import FieldDescriptor
from hypothesis import strategies as st

from adapt.v1 import (datasets_pb2, deployments_pb2, evaluations_pb2, fine_tunes_pb2, lineage_pb2, models_pb2,
                      server_pb2, speech_pb2, voices_pb2)

FILES = (datasets_pb2, deployments_pb2, evaluations_pb2, fine_tunes_pb2, models_pb2, server_pb2, speech_pb2,
         voices_pb2, lineage_pb2)
CALL_DEADLINE_S = 30.0
PCM = b"\0\1" * 8000  # 0.5 s of 16 kHz PCM16


@dataclass(frozen=True)
class Method:
    path: str                   # "/adapt.v1.Models/GetModel"
    request: type               # the request message class
    client_streaming: bool
    server_streaming: bool


def methods() -> list[Method]:
    found = []
    for module in FILES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                request = getattr(_module_of(m.input_type), m.input_type.name)
                found.append(Method(f"/{service.full_name}/{m.name}", request, m.client_streaming,
                                    m.server_streaming))
    return found


def _module_of(descriptor):
    for module in FILES:
        if descriptor.file.name == module.DESCRIPTOR.name:
            return module
    from adapt.v1 import common_pb2
    return common_pb2


def seeds(source_root: str) -> dict[str, list]:
    """Valid requests of the methods that take more than ids (the others start from an empty message)."""
    return {
        "CreateDataset": [datasets_pb2.CreateDatasetRequest(
            name="fuzz", sources=[datasets_pb2.Source(type="local", uri=source_root)], labels={"by": "fuzz"},
            pipeline=[datasets_pb2.PipelineStep(step="split")])],
        "CreateDeployment": [deployments_pb2.CreateDeploymentRequest(
            deployment_id="fuzz", routes={"stt": "whisper-tiny.en"}, description="d", labels={"a": "b"},
            canary=deployments_pb2.Canary(route="stt", model="whisper-tiny.en", percent=10))],
        "UpdateDeployment": [deployments_pb2.UpdateDeploymentRequest(
            deployment_id="fuzz-u", routes={"stt": "whisper-tiny.en"})],
        "CreateEvaluation": [evaluations_pb2.CreateEvaluationRequest(
            dataset_id="ds_none", candidates=["whisper-tiny.en", "pocketsphinx-en-us"], metrics=["wer"],
            gates=evaluations_pb2.Gates(max_rtf=1.0))],
        "CreateFineTune": [fine_tunes_pb2.CreateFineTuneRequest(
            base_model="whisper-tiny.en", dataset_id="ds_none",
            hyperparameters=_struct({"learning_rate": 1e-5, "epochs": 1}))],
        "RegisterModel": [models_pb2.RegisterModelRequest(path=source_root + "/none", model_id="fuzz")],
        "Transcribe": [speech_pb2.TranscribeRequest(audio=PCM, encoding=speech_pb2.LINEAR16, sample_rate_hz=16000),
                       speech_pb2.TranscribeRequest(
                           recording=speech_pb2.RecordingRef(dataset_id="ds_none", recording_id="rec_none"))],
        "StreamingTranscribe": [[
            speech_pb2.StreamingTranscribeRequest(config=speech_pb2.StreamingConfig(sample_rate_hz=16000)),
            speech_pb2.StreamingTranscribeRequest(audio=PCM), speech_pb2.StreamingTranscribeRequest(audio=PCM)]],
        "ListModels": [models_pb2.ListModelsRequest(page_size=2)],
        "ExportDataset": [datasets_pb2.ExportDatasetRequest(dataset_id="ds_none", format="rttm")],
        "Synthesize": [speech_pb2.SynthesizeRequest(text="Hello there.", voice="piper-joe",
                                                    encoding=speech_pb2.SPEECH_ENCODING_MULAW)],
        "StreamingSynthesize": [speech_pb2.SynthesizeRequest(text="Hello. Goodbye.", voice="piper-joe")],
        "CreateVoice": [voices_pb2.CreateVoiceRequest(
            dataset_id="ds_none", speaker="joe", consent=voices_pb2.Consent(
                talent_name="Daniel Parker", company="Northwind", locale="en-US", statement_audio=PCM),
            options=voices_pb2.VoiceBuildOptions(generations=1, population=2))],
        "RevokeConsent": [lineage_pb2.RevokeConsentRequest(consent_id="consent_none", reason="fuzz")],
        "ListVoices": [voices_pb2.ListVoicesRequest(page_size=2)],
    }


def _struct(values: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


# ------------------------------------------------------------------------------------------------ strategies

EDGE_STRINGS = st.sampled_from(["", "\0", "a\0b", "prod\n", "../../../etc/passwd", "s3://x/../", "\u202e\u0301",
                                "x" * 70_000, "🙂" * 1000, "file:///etc/shadow", "http://169.254.169.254/"])
EDGE_INTS = st.sampled_from([0, -1, 1, 2 ** 31 - 1, -2 ** 31, 2 ** 63 - 1, -2 ** 63])
EDGE_UINTS = st.sampled_from([0, 1, 2 ** 32 - 1, 2 ** 64 - 1])
EDGE_FLOATS = st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324])


def _edge_struct(draw) -> struct_pb2.Struct:
    kind = draw(st.sampled_from(["nan", "deep", "wide", "strings"]))
    if kind == "nan":
        return _struct({"x": draw(st.sampled_from([math.nan, math.inf, -math.inf]))})
    if kind == "deep":
        value: dict = {"leaf": 1}
        for _ in range(draw(st.integers(10, 60))):
            value = {"d": value}
        return _struct(value)
    if kind == "wide":
        return _struct({f"k{i}": i for i in range(draw(st.integers(100, 3000)))})
    return _struct({draw(EDGE_STRINGS): draw(EDGE_STRINGS)})


@st.composite
def field_mutation(draw, seed):
    """A copy of `seed` with one field (top level, or one level down) set to an edge value."""
    message = type(seed)()
    message.CopyFrom(seed)
    target = message
    fields = list(target.DESCRIPTOR.fields)
    if not fields:
        return message
    field = draw(st.sampled_from(fields))
    if (field.type == FieldDescriptor.TYPE_MESSAGE and not field.is_repeated
            and field.message_type.full_name not in ("google.protobuf.Struct",) and draw(st.booleans())):
        target = getattr(message, field.name)
        inner = list(target.DESCRIPTOR.fields)
        if inner:
            field = draw(st.sampled_from(inner))
    _set_edge(draw, target, field)
    return message


def _set_edge(draw, message, field) -> None:
    name = field.name
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.GetOptions().map_entry:
            mapping = getattr(message, name)
            key_type = field.message_type.fields_by_name["key"].type
            value_field = field.message_type.fields_by_name["value"]
            if value_field.type != FieldDescriptor.TYPE_STRING or key_type != FieldDescriptor.TYPE_STRING:
                return
            for index in range(draw(st.sampled_from([1, 100, 5000]))):
                mapping[f"{draw(EDGE_STRINGS)[:50]}{index}"] = draw(EDGE_STRINGS)
            return
        if field.message_type.full_name == "google.protobuf.Struct":
            target = getattr(message, name)
            target.CopyFrom(_edge_struct(draw))
            return
        if field.is_repeated:
            for _ in range(draw(st.sampled_from([1, 200]))):
                getattr(message, name).add()
            return
        getattr(message, name).SetInParent()
        return
    value = _edge_scalar(draw, field)
    if value is None:
        return
    if field.is_repeated:
        getattr(message, name).extend([value] * draw(st.sampled_from([1, 2, 20000])))
    else:
        setattr(message, name, value)


def _edge_scalar(draw, field):
    t = field.type
    if t == FieldDescriptor.TYPE_STRING:
        return draw(EDGE_STRINGS)
    if t == FieldDescriptor.TYPE_BYTES:
        return draw(st.sampled_from([b"", b"\0" * 10, b"RIFF\0\0\0\0WAVEJUNK" + b"\xff" * 100, b"\xff" * 40000]))
    if t in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        return draw(st.sampled_from([0, -1, 2 ** 31 - 1, -2 ** 31]))
    if t in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        return draw(EDGE_INTS)
    if t in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return draw(st.sampled_from([0, 1, 2 ** 32 - 1]))
    if t in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
        return draw(EDGE_UINTS)
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return draw(EDGE_FLOATS)
    if t == FieldDescriptor.TYPE_BOOL:
        return draw(st.booleans())
    if t == FieldDescriptor.TYPE_ENUM:
        return draw(st.sampled_from([0, 1, 2, 99, -5]))
    return None


@st.composite
def raw_mutation(draw, data: bytes) -> bytes:
    """`data` with bytes flipped, inserted, deleted or cut short (a corrupt or hostile wire message)."""
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        position = draw(st.integers(0, max(0, len(buffer))))
        if op == "flip" and buffer:
            buffer[min(position, len(buffer) - 1)] = draw(st.integers(0, 255))
        elif op == "insert":
            buffer[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete" and buffer:
            del buffer[min(position, len(buffer) - 1)]
        elif op == "truncate":
            del buffer[position:]
    return bytes(buffer)


@st.composite
def variant(draw, seed) -> bytes:
    """One fuzzed wire message derived from a valid `seed` request."""
    kind = draw(st.sampled_from(["raw", "field", "field", "random"]))
    if kind == "raw":
        return draw(raw_mutation(seed.SerializeToString()))
    if kind == "field":
        return draw(field_mutation(seed)).SerializeToString()
    return draw(st.binary(min_size=0, max_size=256))


# ------------------------------------------------------------------------------------------------ calling

def call(channel: grpc.Channel, method: Method, messages: list[bytes]) -> str:
    """Sends raw `messages` (one unless client-streaming); returns the outcome (see `classify`)."""
    try:
        if method.client_streaming:
            responses = channel.stream_stream(method.path)(iter(messages), timeout=CALL_DEADLINE_S)
            for _ in responses:
                pass
        elif method.server_streaming:
            for _ in channel.unary_stream(method.path)(messages[0], timeout=CALL_DEADLINE_S):
                pass
        else:
            channel.unary_unary(method.path)(messages[0], timeout=CALL_DEADLINE_S)
        return "ok"
    except grpc.RpcError as error:
        return classify(error.code(), error.details() or "")


def classify(code: grpc.StatusCode, details: str) -> str:
    if code == grpc.StatusCode.INTERNAL:
        return "internal"
    if code == grpc.StatusCode.UNKNOWN:
        # gRPC's own refusal of a body it cannot parse (before any of our code runs) is reported apart
        return "grpc-unparsable" if "Error parsing message" in details else "unknown"
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return "hang"
    return code.name


FAILURES = ("internal", "unknown", "hang")
