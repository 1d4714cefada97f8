"""The one table of what every RPC needs: its scope, whether the audit log records every call, and the
largest request message it accepts. tests/server/security/test_methods.py fails when an RPC of
proto/adapt/v1 has no entry here, so no new RPC is served unscoped (the interceptor refuses methods missing
from the table anyway: api/auth.py).

Audited: every call that changes something, and reads of content (exports, per-utterance transcripts,
transcriptions), whatever the outcome; refused calls (no key, missing scope) of any method are recorded too.
Reads of metadata (Get, List, Watch, status) are not recorded one by one.
"""
from __future__ import annotations

from dataclasses import dataclass

from adapt_server.config import MAX_MESSAGE_BYTES

AUTHENTICATED = "authenticated"   # any identity the server accepts, whatever its scopes
CONTROL_BYTES = 1 << 20           # requests that carry no audio: 1 MiB is far above any valid one
STREAM_MESSAGE_BYTES = 4 << 20    # one message of a stream of audio (a real-time client sends ~3 kB)
OPEN_PREFIXES = ("/grpc.health.v1.Health/",)  # load balancers' health checks need no key


@dataclass(frozen=True)
class MethodPolicy:
    scope: str                                 # what the caller needs (AUTHENTICATED: any accepted identity)
    audited: bool = False                      # every call is recorded in the audit log
    max_request_bytes: int = CONTROL_BYTES     # largest request message (per message for client streams)
    streaming: bool = False                    # counts against the caller's concurrent-stream quota
    also: tuple[tuple[str, str], ...] = ()     # (request field, scope): needed too when that field is set


def _read(resource: str, **kw) -> MethodPolicy:
    return MethodPolicy(f"{resource}:read", **kw)


def _write(resource: str, **kw) -> MethodPolicy:
    return MethodPolicy(f"{resource}:write", audited=True, **kw)


def _admin(resource: str, **kw) -> MethodPolicy:
    return MethodPolicy(f"{resource}:admin", audited=True, **kw)


_WATCH = {"streaming": True}
METHODS: dict[str, MethodPolicy] = {
    "/adapt.v1.Datasets/CreateDataset": _write("datasets"),
    "/adapt.v1.Datasets/GetDataset": _read("datasets"),
    "/adapt.v1.Datasets/ListDatasets": _read("datasets"),
    "/adapt.v1.Datasets/DeleteDataset": _admin("datasets"),
    "/adapt.v1.Datasets/CancelDataset": _write("datasets"),
    "/adapt.v1.Datasets/WatchDataset": _read("datasets", **_WATCH),
    "/adapt.v1.Datasets/ListRecordings": _read("datasets"),
    "/adapt.v1.Datasets/ExportDataset": _read("datasets", audited=True),
    "/adapt.v1.Models/ListModels": _read("models"),
    "/adapt.v1.Models/GetModel": _read("models"),
    "/adapt.v1.Models/RegisterModel": _write("models"),
    "/adapt.v1.Models/DeleteModel": _admin("models"),
    "/adapt.v1.Evaluations/CreateEvaluation": _write("evaluations"),
    "/adapt.v1.Evaluations/GetEvaluation": _read("evaluations"),
    "/adapt.v1.Evaluations/ListEvaluations": _read("evaluations"),
    "/adapt.v1.Evaluations/CancelEvaluation": _write("evaluations"),
    "/adapt.v1.Evaluations/DeleteEvaluation": _admin("evaluations"),
    "/adapt.v1.Evaluations/WatchEvaluation": _read("evaluations", **_WATCH),
    "/adapt.v1.Evaluations/ListUtteranceResults": _read("evaluations", audited=True),
    "/adapt.v1.FineTunes/CreateFineTune": _write("fine_tunes"),
    "/adapt.v1.FineTunes/GetFineTune": _read("fine_tunes"),
    "/adapt.v1.FineTunes/ListFineTunes": _read("fine_tunes"),
    "/adapt.v1.FineTunes/CancelFineTune": _write("fine_tunes"),
    "/adapt.v1.FineTunes/WatchFineTune": _read("fine_tunes", **_WATCH),
    "/adapt.v1.Deployments/CreateDeployment": _write("deployments"),
    "/adapt.v1.Deployments/GetDeployment": _read("deployments"),
    "/adapt.v1.Deployments/ListDeployments": _read("deployments"),
    "/adapt.v1.Deployments/UpdateDeployment": _write("deployments"),
    "/adapt.v1.Deployments/RollbackDeployment": _write("deployments"),
    "/adapt.v1.Deployments/DeleteDeployment": _admin("deployments"),
    # transcribing a stored recording reads a dataset: that needs datasets:read as well
    "/adapt.v1.Speech/Transcribe": MethodPolicy("speech:transcribe", audited=True,
                                                max_request_bytes=MAX_MESSAGE_BYTES,
                                                also=(("recording", "datasets:read"),)),
    "/adapt.v1.Speech/StreamingTranscribe": MethodPolicy("speech:transcribe", audited=True, streaming=True,
                                                         max_request_bytes=STREAM_MESSAGE_BYTES),
    "/adapt.v1.Speech/Synthesize": MethodPolicy("speech:synthesize", audited=True),
    "/adapt.v1.Speech/StreamingSynthesize": MethodPolicy("speech:synthesize", audited=True, streaming=True),
    # a voice is built from a dataset's audio: creating one reads the dataset too (`also` tests a message field:
    # the consent, which every valid request carries; dataset_id is a plain string); the statement recording
    # travels in the request (up to voices/consent.py's MAX_STATEMENT_BYTES)
    "/adapt.v1.Voices/CreateVoice": _write("voices", max_request_bytes=MAX_MESSAGE_BYTES,
                                           also=(("consent", "datasets:read"),)),
    "/adapt.v1.Voices/GetVoice": _read("voices"),
    "/adapt.v1.Voices/ListVoices": _read("voices"),
    "/adapt.v1.Voices/DeleteVoice": _admin("voices"),
    "/adapt.v1.Voices/CancelVoice": _write("voices"),
    "/adapt.v1.Voices/WatchVoice": _read("voices", **_WATCH),
    "/adapt.v1.Voices/GetConsentRecord": _read("voices"),
    # lineage starts at the data: reading it is datasets:read; revoking a consent withdraws the use of data
    # (it revokes models and voices and moves deployments): datasets:admin, and voices:admin by a voice's id
    "/adapt.v1.Lineage/GetLineage": _read("datasets"),
    "/adapt.v1.Lineage/RevokeConsent": _admin("datasets", also=(("voice_id", "voices:admin"),)),
    "/adapt.v1.Server/GetStatus": MethodPolicy("server:read"),
    "/adapt.v1.Keys/CreateKey": _admin("keys"),
    "/adapt.v1.Keys/ListKeys": _read("keys"),
    "/adapt.v1.Keys/RevokeKey": _admin("keys"),
    "/adapt.v1.Keys/MapCertificate": MethodPolicy("server:admin", audited=True),
    "/adapt.v1.Keys/ListCertificateMappings": MethodPolicy("server:admin"),
    "/adapt.v1.Keys/UnmapCertificate": MethodPolicy("server:admin", audited=True),
    "/adapt.v1.Keys/WhoAmI": MethodPolicy(AUTHENTICATED),
    "/adapt.v1.Audit/ListAuditEvents": _read("audit"),
    "/adapt.v1.Audit/VerifyAuditLog": MethodPolicy("server:admin"),
    # server reflection (grpcurl): the API's shape is public (proto/), but only to callers the server accepts
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo": MethodPolicy(AUTHENTICATED, streaming=True),
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo": MethodPolicy(AUTHENTICATED, streaming=True),
}


def policy_of(method: str) -> MethodPolicy | None:
    """The method's entry; None for a method the table does not know (the interceptor refuses it)."""
    return METHODS.get(method)
