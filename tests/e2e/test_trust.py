"""The trust boundary over gRPC, against one real `adapt serve` with TLS, required client certificates
(--client-ca), an admin key file and small quotas; certificates are generated here (testkit/pki.py).

Two projects, alpha and bravo, each with an admin key. Bravo holds one of every resource (dataset with a
recording, evaluation, fine-tune, registered model, deployment); alpha's keys must get NOT_FOUND for each of
them exactly as for an id that does not exist (also through Watch streams, exports, stored-recording
transcription, request ids, page tokens, and the blob count of a delete), and never see them in a list.
Then scopes, expiry and revocation, the transport (plaintext to a TLS port, no client certificate, a mapped
certificate), the auth edges of issue 16 defect 12, quotas, planted secrets, and the audit log (every
mutating call with its identity and outcome; an edited or deleted row fails `adapt audit verify`). The
tests run in file order: the last ones tamper with the audit log.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import adapt
from adapt.v1 import (common_pb2, datasets_pb2, datasets_pb2_grpc, deployments_pb2, deployments_pb2_grpc,
                      evaluations_pb2, evaluations_pb2_grpc, fine_tunes_pb2, fine_tunes_pb2_grpc, models_pb2,
                      models_pb2_grpc, speech_pb2, speech_pb2_grpc)
from adapt_server.models.bundled import bundled_model_path
from testkit.audio import tone, write_audio
from testkit.pki import make_pki
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # a real TLS `adapt serve` with its worker

SECRET = "SeCrEt-" + uuid.uuid4().hex  # planted in requests; must never reach the data dir, logs or audit log
MAX_JOBS = 4
MAX_STREAMS = 2


@dataclass
class Trusted:
    server: ServerProcess
    pki: object
    admin_key: str
    sources: Path
    models: Path
    keys: dict  # name -> secret

    def channel(self, cert: str | None = "tester") -> grpc.Channel:
        """A TLS channel to the server, with a client certificate of that name (None: none)."""
        pair = self.pki.client(cert) if cert else None
        credentials = grpc.ssl_channel_credentials(self.pki.ca_pem, pair.key_pem if pair else None,
                                                   pair.cert_pem if pair else None)
        return grpc.secure_channel(self.server.target, credentials)

    def client(self, key: str | None, cert: str | None = "tester") -> adapt.Client:
        pair = self.pki.client(cert) if cert else None
        return adapt.Client(self.server.target, api_key=key, root_certificates=self.pki.ca_pem,
                            certificate_chain=pair.cert_pem if pair else None,
                            private_key=pair.key_pem if pair else None)

    def log(self) -> str:
        return self.server.log_path.read_text(errors="replace")


@pytest.fixture(scope="module")
def trusted(tmp_path_factory):
    root = tmp_path_factory.mktemp("trust")
    pki = make_pki(root / "pki")
    sources, models = root / "sources", root / "models"
    for folder in ("shared", "alpha-only", "quota"):
        (sources / folder).mkdir(parents=True)
    write_audio(sources / "shared" / "call.wav", tone(2.0, 16000, 440), 16000, "wav")
    (sources / "shared" / "call.txt").write_text("hello from a shared call\n")
    write_audio(sources / "alpha-only" / "mine.wav", tone(2.0, 16000, 660), 16000, "wav")
    (sources / "alpha-only" / "mine.txt").write_text("only alpha has this call\n")
    write_audio(sources / "quota" / "q.wav", tone(1.0, 16000, 550), 16000, "wav")
    shutil.copytree(bundled_model_path(), models / "custom")
    admin_key_file = root / "admin.key"
    tester = pki.client("tester")
    server = ServerProcess(
        root / "adapt-data", [sources],
        extra_args=["--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key), "--client-ca", str(pki.ca),
                    "--admin-key-file", str(admin_key_file), "--model-root", str(models),
                    "--max-jobs-per-project", str(MAX_JOBS), "--max-streams-per-key", str(MAX_STREAMS)],
        credentials=grpc.ssl_channel_credentials(pki.ca_pem, tester.key_pem, tester.cert_pem)).start()
    world = Trusted(server, pki, admin_key_file.read_text().strip(), sources, models, {})
    admin = world.client(world.admin_key)
    for name, project, scopes in (("alpha", "alpha", ["admin"]), ("bravo", "bravo", ["admin"]),
                                  ("alpha-speech", "alpha", ["speech:transcribe"]),
                                  ("quota", "quota", ["datasets:write"])):
        world.keys[name] = admin.keys.create(scopes, project=project, name=name).secret
    yield world
    if server.alive():
        server.stop()


@dataclass(frozen=True)
class Bravo:
    dataset: str
    recording: str
    evaluation: str
    fine_tune: str
    model: str
    deployment: str
    page_token: str


def _dataset(client, folder: Path, request_id: str | None = None) -> adapt.Dataset:
    dataset = client.datasets.create(name=folder.name, sources=[{"type": "local", "uri": str(folder)}],
                                     request_id=request_id)
    return client.datasets.wait(dataset.id, timeout=300)


@pytest.fixture(scope="module")
def bravo(trusted) -> Bravo:
    """One of every resource in project bravo (and a second dataset, for a page token)."""
    b = trusted.client(trusted.keys["bravo"])
    dataset = _dataset(b, trusted.sources / "shared", request_id="same-request-id")
    assert dataset.state == "SUCCEEDED", dataset
    _dataset(b, trusted.sources / "quota")
    _, token = b.datasets.list_page(page_size=1)
    recording = b.datasets.recordings(dataset.id)[0].id
    model = b.models.register(str(trusted.models / "custom"), model_id="bravo-only")
    evaluation = b.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"], metrics=["wer"])
    b.evaluations.wait(evaluation.id, timeout=300)
    fine_tune = b.fine_tunes.create(base_model="whisper-tiny.en", dataset_id=dataset.id,
                                    hyperparameters={"epochs": 1, "batch_size": 1}, validation={"split": "none"})
    b.fine_tunes.cancel(fine_tune.id)  # it only has to exist; training would take minutes
    b.deployments.create("bravo-voice", routes={"stt": model.id})
    return Bravo(dataset.id, recording, evaluation.id, fine_tune.id, model.id, "bravo-voice", token)


def _outcome(call) -> tuple[str, str]:
    """(status name, details) of a call that should fail; ("OK", "") when it did not."""
    try:
        result = call()
        if hasattr(result, "__next__"):
            list(result)
        return "OK", ""
    except grpc.RpcError as exc:
        return exc.code().name, exc.details()


# --- tenancy ---------------------------------------------------------------------------------------------
def test_another_projects_ids_answer_exactly_like_ids_that_do_not_exist(trusted, bravo):
    channel = trusted.channel()
    md = (("authorization", f"Bearer {trusted.keys['alpha']}"),)
    ds, ev = datasets_pb2_grpc.DatasetsStub(channel), evaluations_pb2_grpc.EvaluationsStub(channel)
    ft, mo = fine_tunes_pb2_grpc.FineTunesStub(channel), models_pb2_grpc.ModelsStub(channel)
    de, sp = deployments_pb2_grpc.DeploymentsStub(channel), speech_pb2_grpc.SpeechStub(channel)
    missing = Bravo("ds_000000000000", "rec_missing", "eval_000000000000", "ftjob_000000", "no-such-model",
                    "no-such-deployment", "")

    def calls(r: Bravo):
        recognition = speech_pb2.RecognitionConfig
        return {
            "GetDataset": lambda: ds.GetDataset(datasets_pb2.GetDatasetRequest(id=r.dataset), metadata=md),
            "WatchDataset": lambda: ds.WatchDataset(common_pb2.WatchRequest(id=r.dataset), metadata=md),
            "ExportDataset": lambda: ds.ExportDataset(datasets_pb2.ExportDatasetRequest(dataset_id=r.dataset),
                                                      metadata=md),
            "ListRecordings": lambda: ds.ListRecordings(datasets_pb2.ListRecordingsRequest(dataset_id=r.dataset),
                                                        metadata=md),
            "CancelDataset": lambda: ds.CancelDataset(datasets_pb2.CancelDatasetRequest(id=r.dataset), metadata=md),
            "DeleteDataset": lambda: ds.DeleteDataset(datasets_pb2.DeleteDatasetRequest(id=r.dataset), metadata=md),
            "GetEvaluation": lambda: ev.GetEvaluation(evaluations_pb2.GetEvaluationRequest(id=r.evaluation),
                                                      metadata=md),
            "WatchEvaluation": lambda: ev.WatchEvaluation(common_pb2.WatchRequest(id=r.evaluation), metadata=md),
            "ListUtteranceResults": lambda: ev.ListUtteranceResults(
                evaluations_pb2.ListUtteranceResultsRequest(evaluation_id=r.evaluation), metadata=md),
            "DeleteEvaluation": lambda: ev.DeleteEvaluation(evaluations_pb2.DeleteEvaluationRequest(id=r.evaluation),
                                                            metadata=md),
            "CreateEvaluation": lambda: ev.CreateEvaluation(evaluations_pb2.CreateEvaluationRequest(
                dataset_id=r.dataset, candidates=["whisper-tiny.en"], metrics=["wer"]), metadata=md),
            "GetFineTune": lambda: ft.GetFineTune(fine_tunes_pb2.GetFineTuneRequest(id=r.fine_tune), metadata=md),
            "WatchFineTune": lambda: ft.WatchFineTune(common_pb2.WatchRequest(id=r.fine_tune), metadata=md),
            "CancelFineTune": lambda: ft.CancelFineTune(fine_tunes_pb2.CancelFineTuneRequest(id=r.fine_tune),
                                                        metadata=md),
            "CreateFineTune": lambda: ft.CreateFineTune(fine_tunes_pb2.CreateFineTuneRequest(
                base_model="whisper-tiny.en", dataset_id=r.dataset), metadata=md),
            "GetModel": lambda: mo.GetModel(models_pb2.GetModelRequest(id=r.model), metadata=md),
            "DeleteModel": lambda: mo.DeleteModel(models_pb2.DeleteModelRequest(id=r.model), metadata=md),
            "GetDeployment": lambda: de.GetDeployment(deployments_pb2.GetDeploymentRequest(id=r.deployment),
                                                      metadata=md),
            "RollbackDeployment": lambda: de.RollbackDeployment(
                deployments_pb2.RollbackDeploymentRequest(deployment_id=r.deployment), metadata=md),
            "DeleteDeployment": lambda: de.DeleteDeployment(deployments_pb2.DeleteDeploymentRequest(id=r.deployment),
                                                            metadata=md),
            "UpdateDeploymentTo": lambda: de.UpdateDeployment(deployments_pb2.UpdateDeploymentRequest(
                deployment_id="alpha-voice", routes={"stt": r.model}), metadata=md),
            "TranscribeModel": lambda: sp.Transcribe(speech_pb2.TranscribeRequest(
                config=recognition(model=r.model), audio=b"\0\0" * 16000, encoding=speech_pb2.LINEAR16,
                sample_rate_hz=16000), metadata=md),
            "TranscribeDeployment": lambda: sp.Transcribe(speech_pb2.TranscribeRequest(
                config=recognition(deployment_id=r.deployment), audio=b"\0\0" * 16000, encoding=speech_pb2.LINEAR16,
                sample_rate_hz=16000), metadata=md),
            "TranscribeRecording": lambda: sp.Transcribe(speech_pb2.TranscribeRequest(
                recording=speech_pb2.RecordingRef(dataset_id=r.dataset, recording_id=r.recording)), metadata=md),
        }

    theirs, nobodys = calls(bravo), calls(missing)
    for name in theirs:
        code, details = _outcome(theirs[name])
        code_missing, details_missing = _outcome(nobodys[name])
        assert code == "NOT_FOUND", (name, code, details)
        replaced = details
        for mine, other in zip((bravo.dataset, bravo.recording, bravo.evaluation, bravo.fine_tune, bravo.model,
                                bravo.deployment), (missing.dataset, missing.recording, missing.evaluation,
                                                    missing.fine_tune, missing.model, missing.deployment)):
            replaced = replaced.replace(mine, other)
        assert (code_missing, details_missing) == (code, replaced), name
    b = trusted.client(trusted.keys["bravo"])  # bravo's resources are untouched
    assert b.datasets.get(bravo.dataset).state == "SUCCEEDED" and b.deployments.get(bravo.deployment).revision == 1


def test_lists_show_only_the_callers_project_and_bundled_models(trusted, bravo):
    a = trusted.client(trusted.keys["alpha"])
    mine = _dataset(a, trusted.sources / "alpha-only")
    assert [d.id for d in a.datasets.list()] == [mine.id]
    assert bravo.dataset not in {d.id for d in a.datasets.list()}
    assert list(a.evaluations.list()) == [] and list(a.fine_tunes.list()) == [] and list(a.deployments.list()) == []
    bravo_models = list(trusted.client(trusted.keys["bravo"]).models.list())
    assert {m.id for m in a.models.list()} == {m.id for m in bravo_models if m.kind == "BUNDLED"}
    assert bravo.model in {m.id for m in bravo_models}
    assert a.speech.transcribe(trusted.sources / "shared" / "call.wav").model == "whisper-tiny.en"  # bundled: shared


def test_request_ids_and_chosen_ids_belong_to_their_project(trusted, bravo):
    a = trusted.client(trusted.keys["alpha"])
    again = a.datasets.create(name="shared", sources=[{"type": "local", "uri": str(trusted.sources / "shared")}],
                              request_id="same-request-id")  # bravo used this request_id: alpha gets its own dataset
    assert again.id != bravo.dataset
    a.datasets.wait(again.id, timeout=300)
    model = a.models.register(str(trusted.models / "custom"), model_id="bravo-only")  # the same id and the same files
    assert model.id == "bravo-only"
    assert a.deployments.create("bravo-voice", routes={"stt": "bravo-only"}).revision == 1
    b = trusted.client(trusted.keys["bravo"])
    a.deployments.delete("bravo-voice")
    a.models.delete("bravo-only")  # bravo's copy of the tree stays
    assert b.deployments.get("bravo-voice").routes == {"stt": "bravo-only"}
    served = b.speech.transcribe(trusted.sources / "shared" / "call.wav", deployment_id="bravo-voice")
    assert served.model == "bravo-only"


def test_a_page_token_of_another_project_shows_nothing_of_it(trusted, bravo):
    a = trusted.client(trusted.keys["alpha"])
    page, _ = a.datasets.list_page(page_token=bravo.page_token)
    assert all(d.id not in {bravo.dataset} for d in page)
    assert {d.id for d in page} <= {d.id for d in a.datasets.list()}


def test_a_delete_counts_blobs_the_same_whether_another_project_shares_the_audio(trusted, bravo):
    a = trusted.client(trusted.keys["alpha"])
    shared = next(d for d in a.datasets.list() if d.name == "shared")   # same audio as bravo's dataset
    own = next(d for d in a.datasets.list() if d.name == "alpha-only")   # audio nobody else has
    assert a.datasets.delete(shared.id) == a.datasets.delete(own.id) == 1
    b = trusted.client(trusted.keys["bravo"])
    assert b.speech.transcribe(recording=(bravo.dataset, bravo.recording)).duration_s == pytest.approx(2.0, abs=0.05)
    assert "hello from a shared call" in b.datasets.export(bravo.dataset)


def test_status_shows_the_callers_jobs_and_models_only(trusted, bravo):
    b = trusted.client(trusted.keys["bravo"])
    b.speech.transcribe(trusted.sources / "shared" / "call.wav", model="bravo-only")
    assert any(m.startswith("bravo-only/") for m in b.status().loaded_models)
    assert not any(m.startswith("bravo-only/") for m in trusted.client(trusted.keys["alpha"]).status().loaded_models)


# --- scopes and keys -------------------------------------------------------------------------------------
def test_a_speech_only_key_transcribes_but_cannot_create_datasets(trusted, bravo):
    speech = trusted.client(trusted.keys["alpha-speech"])
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope datasets:write"):
        speech.datasets.create(name="x", sources=[{"type": "local", "uri": str(trusted.sources / "shared")}])
    assert speech.speech.transcribe(trusted.sources / "shared" / "call.wav").duration_s > 1
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope datasets:read.*with recording set"):
        speech.speech.transcribe(recording=("ds_000000000000", "rec"))
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope keys:admin"):
        speech.keys.create(["speech:transcribe"])


def test_synthesis_voices_and_lineage_need_their_scopes(trusted):
    speech = trusted.client(trusted.keys["alpha-speech"])
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope speech:synthesize"):
        speech.speech.synthesize("Hello there.", voice="piper-joe")
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope voices:read"):
        speech.voices.get("piper-joe")
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope datasets:admin"):
        speech.lineage.revoke_consent("consent_000000000000")
    admin = trusted.client(trusted.admin_key)
    voices_only = trusted.client(admin.keys.create(["voices:write"], project="alpha", name="voices only").secret)
    with pytest.raises(adapt.PermissionDeniedError, match="lacks scope datasets:read.*with consent set"):
        voices_only.voices.create("ds_000000000000", talent_name="Daniel Parker", company="Northwind",
                                  statement_audio=b"RIFF")
    alpha = trusted.client(trusted.keys["alpha"])
    assert alpha.speech.synthesize("Hello there.", voice="piper-joe", encoding="mulaw").sample_rate_hz == 8000
    with pytest.raises(adapt.NotFoundError):
        alpha.lineage.get("ds_000000000000")


def test_a_key_grants_at_most_what_its_creator_holds_within_its_project(trusted):
    a = trusted.client(trusted.keys["alpha"])
    with pytest.raises(adapt.PermissionDeniedError, match="cannot grant scope server:admin"):
        a.keys.create(["server:admin"])
    with pytest.raises(adapt.PermissionDeniedError, match="needs scope server:admin"):
        a.keys.create(["datasets:read"], project="bravo")
    reader = a.keys.create(["datasets:read"], name="reader")
    assert reader.key.project == "alpha" and reader.secret.startswith("adapt_")
    listed = a.keys.list()
    assert {k.project for k in listed} == {"alpha"} and reader.key.id in {k.id for k in listed}
    with pytest.raises(adapt.NotFoundError):  # bravo's key id, exactly as an unknown one
        a.keys.revoke(next(k.id for k in trusted.client(trusted.admin_key).keys.list(project="bravo")))


def test_expired_and_revoked_keys_are_refused(trusted):
    a = trusted.client(trusted.keys["alpha"])
    short = a.keys.create(["datasets:read"], expires_in_s=1)
    revoked = a.keys.create(["datasets:read"])
    assert trusted.client(short.secret).keys.whoami().project == "alpha"
    assert trusted.client(revoked.secret).keys.whoami().key_id == revoked.key.id
    a.keys.revoke(revoked.key.id)
    time.sleep(1.2)
    for secret in (short.secret, revoked.secret):
        with pytest.raises(adapt.UnauthenticatedError, match="expired or revoked"):
            list(trusted.client(secret).datasets.list())


# --- transport ---------------------------------------------------------------------------------------------
def test_plaintext_to_the_tls_port_fails(trusted):
    with pytest.raises(adapt.UnavailableError):
        adapt.Client(trusted.server.target, api_key=trusted.keys["alpha"], timeout=10).keys.whoami()


def test_a_client_without_a_certificate_is_refused_under_client_ca(trusted):
    with pytest.raises(adapt.UnavailableError):
        trusted.client(trusted.keys["alpha"], cert=None).keys.whoami()


def test_a_mapped_certificate_acts_in_its_project_without_a_key(trusted):
    admin = trusted.client(trusted.admin_key)
    with pytest.raises(adapt.UnauthenticatedError, match="not mapped"):
        trusted.client(None, cert="billing-batch.internal").keys.whoami()
    admin.keys.map_certificate("billing-batch.internal", "alpha", ["datasets:read"])
    me = trusted.client(None, cert="billing-batch.internal").keys.whoami()
    assert (me.identity, me.project, me.scopes) == ("cert:billing-batch.internal", "alpha", ("datasets:read",))
    with pytest.raises(adapt.PermissionDeniedError, match="datasets:write"):
        trusted.client(None, cert="billing-batch.internal").datasets.create(
            name="x", sources=[{"type": "local", "uri": str(trusted.sources / "shared")}])
    with pytest.raises(adapt.PermissionDeniedError, match="server:admin"):
        trusted.client(trusted.keys["alpha"]).keys.map_certificate("x.internal", "alpha", ["admin"])
    assert trusted.client(trusted.keys["bravo"], cert="billing-batch.internal").keys.whoami().project == "bravo"


# --- issue 16 defect 12: the auth edges ----------------------------------------------------------------
def test_unauthenticated_calls_cost_no_parse_and_do_not_flood_the_log(trusted):
    channel = trusted.channel()
    get = channel.unary_unary("/adapt.v1.Datasets/GetDataset")
    lines_before = trusted.log().count("refused")
    started = time.monotonic()
    with pytest.raises(grpc.RpcError) as big:
        get(b"\x0a" + b"\xff" * 5 + b"x" * (60 << 20), timeout=60)  # 60 MB, no key
    assert big.value.code() == grpc.StatusCode.UNAUTHENTICATED and time.monotonic() - started < 20
    for _ in range(40):
        with pytest.raises(grpc.RpcError) as corrupt:
            get(b"\xff\xff\xff garbage", timeout=10)  # a corrupt body, no key
        assert corrupt.value.code() == grpc.StatusCode.UNAUTHENTICATED
    md = (("authorization", f"Bearer {trusted.keys['alpha']}"),)
    with pytest.raises(grpc.RpcError) as keyed:
        get(b"\xff\xff\xff garbage", metadata=md, timeout=10)
    assert keyed.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "not a valid message" in keyed.value.details()
    unknown = channel.unary_unary("/adapt.v1.Nothing/Here")
    for metadata, code in (((), grpc.StatusCode.UNAUTHENTICATED), (md, grpc.StatusCode.UNIMPLEMENTED)):
        with pytest.raises(grpc.RpcError) as answer:
            unknown(b"", metadata=metadata, timeout=10)
        assert answer.value.code() == code
    health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert health.status == health_pb2.HealthCheckResponse.SERVING  # open to load balancers, and alive
    log = trusted.log()
    # 43 refused calls: at most one log line per 10 s (RefusalLog), never one per call
    allowed = 2 + int((time.monotonic() - started) / 10)
    assert log.count("refused") - lines_before <= allowed, log[-3000:]
    assert "Traceback" not in log and "UNKNOWN" not in log, log[-3000:]


# --- quotas ----------------------------------------------------------------------------------------------
def test_quotas_answer_resource_exhausted_with_a_retry_hint_and_the_server_serves_the_rest(trusted):
    q = trusted.client(trusted.keys["quota"])
    refused = None
    for _ in range(MAX_JOBS + 4):  # one worker: the project's ingests queue up faster than they finish
        try:
            q.datasets.create(name="q", sources=[{"type": "local", "uri": str(trusted.sources / "quota")}])
        except adapt.ResourceExhaustedError as exc:
            refused = exc
            break
    assert refused is not None and refused.retry_after_s == 30 and "project 'quota'" in refused.message
    a = trusted.client(trusted.keys["alpha"])
    too_big = _outcome(lambda: datasets_pb2_grpc.DatasetsStub(trusted.channel()).CreateDataset(
        datasets_pb2.CreateDatasetRequest(name="x" * (2 << 20)),
        metadata=(("authorization", f"Bearer {trusted.keys['alpha']}"),)))
    assert too_big[0] == "RESOURCE_EXHAUSTED" and "accepts at most" in too_big[1]

    release = threading.Event()

    def hold_a_stream(results: list):
        def chunks():
            yield b"\0\0" * 1600
            release.wait(60)
        try:
            for _ in a.speech.stream(chunks(), sample_rate_hz=16000):
                pass
            results.append("done")
        except adapt.AdaptError as exc:
            results.append(exc)
    outcomes = [[] for _ in range(MAX_STREAMS)]
    holders = [threading.Thread(target=hold_a_stream, args=(o,)) for o in outcomes]
    for t in holders:
        t.start()
    time.sleep(3)
    with pytest.raises(adapt.ResourceExhaustedError, match="streaming calls open") as third:
        list(a.speech.stream(iter([b"\0\0" * 1600]), sample_rate_hz=16000))
    assert third.value.retry_after_s == 5
    assert a.keys.whoami().project == "alpha" and list(a.models.list())  # the rest is served meanwhile
    assert trusted.client(trusted.keys["bravo"]).speech.transcribe(trusted.sources / "shared" / "call.wav").model
    release.set()
    for t in holders:
        t.join(60)
    assert [o for o in outcomes if o != ["done"]] == []


# --- secrets ---------------------------------------------------------------------------------------------
def test_planted_secrets_reach_neither_the_data_dir_nor_the_logs_nor_the_audit_log(trusted):
    a = trusted.client(trusted.keys["alpha"])
    for options in ({"aws_secret_access_key": SECRET}, {"endpoint_url": f"http://AKIAEXAMPLE:{SECRET}@127.0.0.1:9"}):
        with pytest.raises(adapt.InvalidArgumentError) as refused:
            a.datasets.create(name="s3", sources=[{"type": "s3", "uri": "s3://calls/2026/", "options": options}])
        assert SECRET not in refused.value.message
    with pytest.raises(adapt.UnauthenticatedError):  # a wrong key is not recorded either
        trusted.client(f"adapt_k000000000000_{SECRET}").keys.whoami()
    created = a.keys.create(["datasets:read"], name="planted")  # a real key's secret: only its hash is kept
    assert trusted.client(created.secret).keys.whoami().key_id == created.key.id
    needles = [SECRET.encode(), created.secret.encode(), created.secret.split("_")[-1].encode()]
    for path in [p for p in trusted.server.data_dir.rglob("*") if p.is_file()] + [trusted.server.log_path]:
        data = path.read_bytes()
        assert not any(needle in data for needle in needles), f"a planted secret is in {path}"
    events = "\n".join(repr(e) for e in trusted.client(trusted.admin_key).audit.list())
    assert not any(needle.decode() in events for needle in needles)


# --- the audit log ---------------------------------------------------------------------------------------
def test_every_mutating_call_is_audited_with_its_identity_and_outcome(trusted, bravo):
    a, speech = trusted.client(trusted.keys["alpha"]), trusted.client(trusted.keys["alpha-speech"])
    since = max(e.sequence for e in trusted.client(trusted.admin_key).audit.list())
    alpha_id, speech_id = a.keys.whoami().key_id, speech.keys.whoami().key_id
    created = a.deployments.create("audited", routes={"stt": "whisper-tiny.en"})
    with pytest.raises(adapt.NotFoundError):
        a.datasets.delete("ds_000000000000")
    with pytest.raises(adapt.PermissionDeniedError):
        speech.deployments.delete("audited")
    with pytest.raises(adapt.UnauthenticatedError):
        trusted.client(None).deployments.delete("audited")
    a.deployments.delete("audited")
    rows = [e for e in trusted.client(trusted.admin_key).audit.list() if e.sequence > since]
    seen = [(e.identity, e.key_id, e.project, e.method.rsplit("/", 1)[1], e.resource, e.code) for e in rows]
    assert seen == [
        (f"key:{alpha_id}", alpha_id, "alpha", "CreateDeployment", created.id, "OK"),
        (f"key:{alpha_id}", alpha_id, "alpha", "DeleteDataset", "ds_000000000000", "NOT_FOUND"),
        (f"key:{speech_id}", speech_id, "alpha", "DeleteDeployment", "", "PERMISSION_DENIED"),
        ("unauthenticated", "", "", "DeleteDeployment", "", "UNAUTHENTICATED"),
        (f"key:{alpha_id}", alpha_id, "alpha", "DeleteDeployment", "audited", "OK"),
    ], seen
    assert all(e.peer.startswith(("ipv4:127.0.0.1", "ipv6:")) and e.certificate == "tester" for e in rows
               if e.identity != "unauthenticated")
    assert rows[2].detail == "missing scope deployments:admin"
    alpha_view = list(a.audit.list())
    assert alpha_view and {e.project for e in alpha_view} == {"alpha"}
    with pytest.raises(adapt.PermissionDeniedError):
        list(a.audit.list(project="bravo"))


def _cli(trusted, *args) -> subprocess.CompletedProcess:
    tester = trusted.pki.client("tester")
    env = {**os.environ, "ADAPT_TARGET": trusted.server.target, "ADAPT_API_KEY": trusted.admin_key,
           "ADAPT_TLS_CA": str(trusted.pki.ca), "ADAPT_TLS_CERT": str(tester.cert), "ADAPT_TLS_KEY": str(tester.key)}
    return subprocess.run([sys.executable, "-m", "adapt.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_the_cli_manages_keys_and_reads_the_audit_log(trusted):
    made = _cli(trusted, "keys", "create", "--project", "charlie", "--scope", "datasets:read", "--scope",
                "speech:transcribe", "--expires", "30d", "--name", "cli key")
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("adapt_") and "charlie" in made.stderr and secret not in made.stderr
    me = trusted.client(secret).keys.whoami()
    assert me.project == "charlie" and me.scopes == ("datasets:read", "speech:transcribe")
    listed = _cli(trusted, "keys", "list", "--project", "charlie")
    assert me.key_id in listed.stdout and secret not in listed.stdout
    assert _cli(trusted, "keys", "revoke", me.key_id).returncode == 0
    audit = _cli(trusted, "audit", "list", "--since", "1h", "--project", "charlie")
    assert audit.returncode == 0 and audit.stdout == ""  # charlie's key was made and revoked by the admin (default)
    audit = _cli(trusted, "audit", "list", "--since", "1h")
    assert "/adapt.v1.Keys/RevokeKey" in audit.stdout and me.key_id in audit.stdout


def test_editing_or_deleting_an_audit_row_makes_verify_fail_naming_it(trusted):
    verified = _cli(trusted, "audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("ok: "), verified.stdout + verified.stderr
    db = sqlite3.connect(trusted.server.data_dir / "adapt.sqlite3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db.execute("UPDATE audit_log SET code = 'OK' WHERE seq = 3")
    db.execute("DROP TRIGGER audit_log_no_update")  # someone with the file edits a row
    db.execute("UPDATE audit_log SET identity = 'key:someone-else' WHERE seq = 3")
    db.commit()
    edited = _cli(trusted, "audit", "verify")
    assert edited.returncode == 1 and "FAILED at row 3" in edited.stderr and "edited" in edited.stderr
    db.execute("DROP TRIGGER audit_log_no_delete")
    db.execute("DELETE FROM audit_log WHERE seq = 2")
    db.commit()
    deleted = _cli(trusted, "audit", "verify")
    assert deleted.returncode == 1 and "FAILED at row 2: row 2 was deleted" in deleted.stderr
    db.close()
