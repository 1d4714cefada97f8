"""Deployments over gRPC against a real `adapt serve`: the docs' update-creates, promotion, history,
rollback, canary by routing key, bad input, and a stream that keeps its model through a promotion."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import adapt
from adapt._speech import paced
from adapt_server.audio.decode import decode_audio
from adapt_server.audio.wav import encode_pcm16_wav
from adapt_server.deploy.routing import BUCKETS, bucket
from adapt_server.models.bundled import bundled_model_path
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes

BASE, COPY = "whisper-tiny.en", "tiny-copy"
RATE = 16000


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    return tmp_path_factory.mktemp("deploy-sources")


@pytest.fixture(scope="module")
def call_audio(sources):
    """16 kHz float32 samples of one generated call (holdout voices)."""
    from adapt_server.sampledata import generate_calls
    [info] = generate_calls(sources / "gen", n_calls=1, seed=11, split="holdout")
    return decode_audio(info.audio_path).samples[0]


@pytest.fixture(scope="module")
def clip_dataset(client, sources, clip):
    """A one-recording dataset (the 6 s clip with a sidecar transcript) to validate models on."""
    folder = sources / "clip"
    folder.mkdir()
    (folder / "clip.wav").write_bytes(clip)
    (folder / "clip.txt").write_text("thank you for calling\n")
    dataset = client.datasets.create(name="clip", sources=[{"type": "local", "uri": str(folder)}])
    return client.datasets.wait(dataset.id, timeout=300)


@pytest.fixture(scope="module")
def clip(call_audio) -> bytes:
    """A 6 s WAV clip: short enough that each transcription is quick."""
    return encode_pcm16_wav(call_audio[:6 * RATE], RATE)


@pytest.fixture(scope="module")
def server(tmp_path_factory, sources):
    model_root = bundled_model_path().parent
    proc = ServerProcess(tmp_path_factory.mktemp("deploy-data") / "adapt-data", [sources],
                         extra_args=["--model-root", str(model_root)]).start()
    yield proc
    if proc.alive():
        proc.stop()


@pytest.fixture(scope="module")
def client(server):
    with adapt.Client(server.target) as c:
        c.models.register(str(bundled_model_path()), model_id=COPY, description="a second model id to route to")
        yield c


def test_the_docs_update_creates_the_deployment_and_serves_it(client, clip):
    deployment = client.deployments.update(deployment_id="prod-voice", routes={"stt": BASE})
    assert (deployment.routes, deployment.revision) == ({"stt": BASE}, 1)
    assert [r.action for r in deployment.history] == ["create"]
    assert client.speech.transcribe(clip, deployment_id="prod-voice").model == BASE
    assert any(d.id == "prod-voice" for d in client.deployments.list())


def test_promotion_history_and_rollback(client, clip):
    client.deployments.update("promo", routes={"stt": BASE})
    promoted = client.deployments.update("promo", routes={"stt": COPY})
    assert promoted.revision == 2 and promoted.routes == {"stt": COPY}
    assert client.speech.transcribe(clip, deployment_id="promo").model == COPY
    back = client.deployments.rollback("promo")
    assert back.routes == {"stt": BASE} and back.revision == 3
    assert [(r.revision, r.action, r.routes["stt"]) for r in back.history] == [
        (1, "create", BASE), (2, "update", COPY), (3, "rollback", BASE)]
    assert client.speech.transcribe(clip, deployment_id="promo").model == BASE
    with pytest.raises(adapt.FailedPreconditionError, match="nothing earlier"):
        client.deployments.rollback("promo")
    assert client.deployments.get("promo").revision == 3


def test_canary_splits_by_routing_key(client, clip):
    deployment = client.deployments.update("canary", routes={"stt": BASE}, canary={"model": COPY, "percent": 50})
    assert (deployment.canary.model, deployment.canary.percent) == (COPY, 50.0)
    keys = [f"caller-{i}" for i in range(40)]
    expected = {k: COPY if bucket("canary", k) < BUCKETS // 2 else BASE for k in keys}
    chosen = [next(k for k in keys if expected[k] == COPY), next(k for k in keys if expected[k] == BASE)]
    for key in chosen * 2:  # each key twice: the same side every time
        assert client.speech.transcribe(clip, deployment_id="canary", routing_key=key,
                                        word_timestamps=False).model == expected[key]
    assert client.deployments.update("canary", routes={"stt": BASE}).canary is None


@pytest.mark.parametrize("kwargs, error, text", [
    ({"routes": {"stt": "no-such-model"}}, adapt.NotFoundError, "no-such-model"),
    ({"routes": {"translate": BASE}}, adapt.InvalidArgumentError, "unknown route 'translate'"),
    ({"routes": {"stt": BASE}, "canary": {"model": COPY, "percent": 150}}, adapt.InvalidArgumentError,
     "between 0 and 100"),
    ({"routes": {"stt": BASE}, "canary": {"model": BASE, "percent": 10}}, adapt.InvalidArgumentError, "different"),
])
def test_bad_updates_get_a_clear_status_and_change_nothing(client, server, kwargs, error, text):
    client.deployments.update("guarded", routes={"stt": BASE})
    with pytest.raises(error, match=text):
        client.deployments.update("guarded", **kwargs)
    assert client.deployments.get("guarded").routes == {"stt": BASE}
    assert server.alive()


def test_unknown_ids(client, clip):
    with pytest.raises(adapt.NotFoundError, match="'ghost' does not exist"):
        client.deployments.get("ghost")
    with pytest.raises(adapt.NotFoundError, match="ghost"):
        client.speech.transcribe(clip, deployment_id="ghost")
    with pytest.raises(adapt.InvalidArgumentError, match="deployment_id"):
        client.deployments.update("Not Valid", routes={"stt": BASE})
    with pytest.raises(adapt.AlreadyExistsError):
        client.deployments.update("twice", routes={"stt": BASE})
        client.deployments.create("twice", routes={"stt": BASE})
    with pytest.raises(adapt.InvalidArgumentError, match="both"):
        client.speech.transcribe(clip, deployment_id="twice", model=BASE)
    client.deployments.delete("twice")
    with pytest.raises(adapt.NotFoundError):
        client.speech.transcribe(clip, deployment_id="twice")


def test_a_promotion_does_not_drop_a_stream_in_flight(client, call_audio):
    """A stream resolves its deployment once: it keeps its model while the route changes under it."""
    client.deployments.update("live", routes={"stt": BASE})
    pcm = (np.clip(call_audio[:12 * RATE], -1, 1) * 32767).astype("<i2").tobytes()
    results, errors = [], []
    first_result = threading.Event()

    def consume():
        try:
            for result in client.speech.stream(paced(pcm, RATE, chunk_s=0.1), sample_rate_hz=RATE,
                                               deployment_id="live", timeout=300):
                results.append(result)
                first_result.set()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            first_result.set()

    reader = threading.Thread(target=consume)
    reader.start()
    assert first_result.wait(120)
    promoted_at = time.monotonic()
    client.deployments.update("live", routes={"stt": COPY})
    reader.join(300)
    assert not errors, errors
    assert time.monotonic() - promoted_at > 1.0, "the stream should still have been running at the promotion"
    finals = [r for r in results if r.is_final]
    assert finals and " ".join(r.text for r in finals).strip()
    assert {r.model for r in results} == {BASE}
    assert client.speech.transcribe(encode_pcm16_wav(call_audio[:4 * RATE], RATE), deployment_id="live").model == COPY


def test_a_model_that_failed_its_gates_needs_force(client, clip_dataset):
    """An evaluation whose RTF gate the model cannot pass; promoting it is refused, then forced."""
    run = client.evaluations.create(dataset_id=clip_dataset.id, candidates=[COPY], metrics=["wer", "realtime_factor"],
                                    gates={"max_rtf": 0.0001})
    run.wait(timeout=300)
    assert run.winner is None
    client.deployments.update("gated", routes={"stt": BASE})
    with pytest.raises(adapt.FailedPreconditionError) as refused:
        client.deployments.update("gated", routes={"stt": COPY})
    message = refused.value.message
    assert "max_rtf 0.0001 < measured" in message and run.id in message and "force=True" in message
    assert client.deployments.get("gated").routes == {"stt": BASE}
    forced = client.deployments.update("gated", routes={"stt": COPY}, force=True)
    assert forced.routes == {"stt": COPY} and forced.history[-1].forced and "max_rtf" in forced.history[-1].note
    # a model never validated is not blocked, and a rollback restores without a gate check
    assert client.deployments.rollback("gated").routes == {"stt": BASE}
