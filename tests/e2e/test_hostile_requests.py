"""Hostile request values against a real `adapt serve` (issue 16, defects 7-11): every one gets INVALID_ARGUMENT
(or ALREADY_EXISTS) naming what to fix, with a short message, and the server keeps serving.
- NaN or infinity anywhere in a Struct or a double field, a NUL in a local path (7);
- echoes of unbounded input are cut (8);
- bounds on labels, names, descriptions, request ids, ids; 35 deployments with 2 MB descriptions (9);
- ids with a trailing newline (10); RegisterModel with a reused request_id and a different body (11)."""
from __future__ import annotations

import shutil

import grpc
import pytest
from google.protobuf import struct_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

import adapt
from adapt.v1 import (datasets_pb2, datasets_pb2_grpc, deployments_pb2, deployments_pb2_grpc, evaluations_pb2,
                      evaluations_pb2_grpc, fine_tunes_pb2, fine_tunes_pb2_grpc, models_pb2, models_pb2_grpc)
from adapt_server.models.bundled import bundled_model_path
from testkit.audio import tone, write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve`

MAX_STATUS_MESSAGE = 4000  # characters: far under the 16 KiB trailer limit that turned errors into "Stream removed"
NAN, INF = float("nan"), float("inf")


@pytest.fixture(scope="module")
def roots(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-root")
    write_audio(root / "a.wav", tone(1.0), 16000, "wav")
    shutil.copytree(bundled_model_path(), root / "tiny")
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory, roots):
    proc = ServerProcess(tmp_path_factory.mktemp("hostile-data") / "adapt-data", [roots]).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def channel(server):
    with grpc.insecure_channel(server.target, options=[("grpc.max_send_message_length", 64 << 20),
                                                       ("grpc.max_receive_message_length", 64 << 20)]) as ch:
        yield ch


def _refused(call, request, code=grpc.StatusCode.INVALID_ARGUMENT) -> str:
    with pytest.raises(grpc.RpcError) as error:
        call(request, timeout=60)
    assert error.value.code() == code, error.value.details()
    assert len(error.value.details()) < MAX_STATUS_MESSAGE
    return error.value.details()


def _struct(**values) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def _assert_serving(server, channel):
    assert server.alive()
    status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10).status
    assert status == health_pb2.HealthCheckResponse.SERVING


def test_nan_and_infinity_anywhere_are_invalid_argument_naming_the_field(server, channel, roots):
    datasets = datasets_pb2_grpc.DatasetsStub(channel).CreateDataset
    source = dict(type="local", uri=str(roots))
    assert "sources[0].options.x is nan" in _refused(datasets, datasets_pb2.CreateDatasetRequest(
        name="n", sources=[datasets_pb2.Source(**source, options=_struct(x=NAN))]))
    nested = _struct(deep={"list": [1, INF]})
    assert "pipeline[0].params.deep.list[1] is inf" in _refused(datasets, datasets_pb2.CreateDatasetRequest(
        name="n", sources=[datasets_pb2.Source(**source)],
        pipeline=[datasets_pb2.PipelineStep(step="split", params=nested)]))
    fine_tunes = fine_tunes_pb2_grpc.FineTunesStub(channel).CreateFineTune
    assert "hyperparameters.learning_rate is nan" in _refused(fine_tunes, fine_tunes_pb2.CreateFineTuneRequest(
        base_model="whisper-tiny.en", dataset_id="ds_x", hyperparameters=_struct(learning_rate=NAN)))
    evaluations = evaluations_pb2_grpc.EvaluationsStub(channel).CreateEvaluation
    assert "gates.max_rtf is -inf" in _refused(evaluations, evaluations_pb2.CreateEvaluationRequest(
        dataset_id="ds_x", candidates=["whisper-tiny.en"], gates=evaluations_pb2.Gates(max_rtf=-INF)))
    deployments = deployments_pb2_grpc.DeploymentsStub(channel).CreateDeployment
    assert "canary.percent is nan" in _refused(deployments, deployments_pb2.CreateDeploymentRequest(
        deployment_id="d", routes={"stt": "whisper-tiny.en"},
        canary=deployments_pb2.Canary(model="whisper-tiny.en", percent=NAN)))
    _assert_serving(server, channel)


def test_a_nul_in_a_local_path_is_invalid_argument(server, channel, roots):
    datasets = datasets_pb2_grpc.DatasetsStub(channel).CreateDataset
    assert "sources[0].uri contains a NUL character" in _refused(datasets, datasets_pb2.CreateDatasetRequest(
        name="n", sources=[datasets_pb2.Source(type="local", uri=f"{roots}/a\0.wav")]))
    assert "NUL" in _refused(datasets, datasets_pb2.CreateDatasetRequest(
        name="n", sources=[datasets_pb2.Source(type="local", uri=f"file://{roots}/a%00.wav")]))
    register = models_pb2_grpc.ModelsStub(channel).RegisterModel
    assert "contains a NUL character" in _refused(register, models_pb2.RegisterModelRequest(path=f"{roots}/ti\0ny"))
    too_long = _refused(register, models_pb2.RegisterModelRequest(path=f"{roots}/{'x' * 5000}"))  # found by the fuzz
    assert "cannot be resolved (File name too long)" in too_long
    _assert_serving(server, channel)


def test_echoes_of_unbounded_input_are_cut(server, channel):
    evaluations = evaluations_pb2_grpc.EvaluationsStub(channel).CreateEvaluation
    details = _refused(evaluations, evaluations_pb2.CreateEvaluationRequest(
        dataset_id="ds_x", candidates=["whisper-tiny.en"] * 20000))  # 360 KB echoed before: "Stream removed"
    assert "candidates must be distinct" in details and "more characters)" in details
    models = models_pb2_grpc.ModelsStub(channel).GetModel
    assert "more characters)" in _refused(models, models_pb2.GetModelRequest(id="m" * 200), grpc.StatusCode.NOT_FOUND)
    _assert_serving(server, channel)


@pytest.mark.parametrize("field, value, fragment", [
    ("labels", {"k": "v" * 1_000_000}, "value"),
    ("labels", {f"key{i}": "v" for i in range(10_000)}, "10000 entries; at most 64"),
    ("labels", {"bad key": "v"}, "labels key 'bad key' is not valid"),
    ("labels", {"team": "has space"}, "is not valid"),
    ("request_id", "r" * 1_000_000, "request_id"),
    ("request_id", "has a space", "request_id"),
    ("description", "d" * 1_000_000, "description is 1000000 characters long; at most 4096"),
])
def test_bounds_on_labels_request_ids_and_descriptions(server, channel, roots, field, value, fragment):
    register = models_pb2_grpc.ModelsStub(channel).RegisterModel
    request = models_pb2.RegisterModelRequest(path=str(roots / "tiny"), model_id="never-registered")
    if field == "labels":
        request.labels.update(value)
    else:
        setattr(request, field, value)
    assert fragment in _refused(register, request)
    datasets = datasets_pb2_grpc.DatasetsStub(channel).CreateDataset
    create = datasets_pb2.CreateDatasetRequest(name="n", sources=[datasets_pb2.Source(type="local", uri=str(roots))])
    if field == "labels":
        create.labels.update(value)
        assert fragment in _refused(datasets, create)
    elif field == "request_id":
        create.request_id = value
        assert fragment in _refused(datasets, create)
    _assert_serving(server, channel)


def test_names_and_ids_are_bounded(server, channel, roots):
    datasets = datasets_pb2_grpc.DatasetsStub(channel)
    assert "name is 1000000 characters long" in _refused(datasets.CreateDataset, datasets_pb2.CreateDatasetRequest(
        name="n" * 1_000_000, sources=[datasets_pb2.Source(type="local", uri=str(roots))]))
    assert "control character" in _refused(datasets.CreateDataset, datasets_pb2.CreateDatasetRequest(
        name="two\nlines", sources=[datasets_pb2.Source(type="local", uri=str(roots))]))
    assert "id is 1000000 characters long" in _refused(datasets.GetDataset,
                                                       datasets_pb2.GetDatasetRequest(id="x" * 1_000_000))


def test_35_deployments_with_2_mb_descriptions_are_refused_and_lists_keep_working(server, channel):
    deployments = deployments_pb2_grpc.DeploymentsStub(channel)
    for index in range(35):  # refused by size before it is parsed (the per-RPC request sizes of security/methods.py)
        assert "accepts at most" in _refused(deployments.CreateDeployment, deployments_pb2.CreateDeploymentRequest(
            deployment_id=f"big-{index}", routes={"stt": "whisper-tiny.en"}, description="d" * 2_000_000),
            code=grpc.StatusCode.RESOURCE_EXHAUSTED)
    for index in range(35):  # the largest description allowed, and 64 long labels
        deployments.CreateDeployment(deployments_pb2.CreateDeploymentRequest(
            deployment_id=f"full-{index}", routes={"stt": "whisper-tiny.en"}, description="d" * 4096,
            labels={f"k{i}-{'x' * 55}": "v" * 63 for i in range(64)}), timeout=60)
    listed = deployments.ListDeployments(deployments_pb2.ListDeploymentsRequest(page_size=1000), timeout=60)
    assert len(listed.deployments) == 35 and listed.ByteSize() < 4 * 1024 * 1024


def test_ids_with_a_trailing_newline_are_refused(server, channel, roots):
    deployments = deployments_pb2_grpc.DeploymentsStub(channel)
    assert "deployment_id 'prod\\n' is not valid" in _refused(
        deployments.CreateDeployment, deployments_pb2.CreateDeploymentRequest(
            deployment_id="prod\n", routes={"stt": "whisper-tiny.en"}))
    register = models_pb2_grpc.ModelsStub(channel).RegisterModel
    assert "model_id 'tiny\\n' is not valid" in _refused(register, models_pb2.RegisterModelRequest(
        path=str(roots / "tiny"), model_id="tiny\n"))


def test_register_model_refuses_a_reused_request_id_with_a_different_body(server, roots):
    with adapt.Client(server.target) as client:
        first = client.models.register(str(roots / "tiny"), model_id="tiny-a", request_id="req-1")
        again = client.models.register(str(roots / "tiny"), model_id="tiny-a", request_id="req-1")
        assert again.id == first.id == "tiny-a"  # the same request again: the same model
        with pytest.raises(adapt.AlreadyExistsError, match="request_id 'req-1' was already used"):
            client.models.register(str(roots / "tiny"), model_id="tiny-b", request_id="req-1")
        with pytest.raises(adapt.NotFoundError):
            client.models.get("tiny-b")
