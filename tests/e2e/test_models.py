"""Models over gRPC: the bundled base model, registering CTranslate2 and Hugging Face directories, errors."""
from __future__ import annotations

import json
import shutil

import pytest

import adapt
from adapt_server.models.bundled import bundled_model_path
from testkit.audio import write_audio
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # starts a real `adapt serve` with its worker processes


def _speech():
    """A few seconds of real speech: a generated call's first turns (float32, 16 kHz)."""
    import tempfile
    from pathlib import Path

    from adapt_server.audio.decode import decode_audio
    from adapt_server.sampledata import generate_calls
    [info] = generate_calls(Path(tempfile.mkdtemp()), n_calls=1, seed=21, split="train")
    return decode_audio(info.audio_path).samples[0][: 16000 * 12]


@pytest.fixture(scope="module")
def model_root(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def models_server(tmp_path_factory, model_root):
    sources = tmp_path_factory.mktemp("model-sources")
    proc = ServerProcess(tmp_path_factory.mktemp("mdata") / "adapt-data", [sources],
                         extra_args=["--model-root", str(model_root)]).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def client(models_server):
    with adapt.Client(models_server.target) as c:
        yield c


def test_bundled_base_model_is_registered_at_start(client):
    models = {m.id: m for m in client.models.list()}
    tiny = models["whisper-tiny.en"]
    assert tiny.kind == "BUNDLED" and tiny.format == "ctranslate2" and not tiny.multilingual
    assert tiny.n_mels == 80 and tiny.size_bytes > 50_000_000
    assert client.models.get("whisper-tiny.en").path == tiny.path


def test_unknown_model_is_not_found(client):
    with pytest.raises(adapt.NotFoundError, match="does not exist"):
        client.models.get("whisper-huge-nonexistent")


def test_register_a_ctranslate2_directory(client, model_root):
    copy = model_root / "tiny-copy"
    shutil.copytree(bundled_model_path(), copy)
    model = client.models.register(str(copy), model_id="tiny-copy", labels={"team": "voice"})
    assert model.kind == "REGISTERED" and model.format == "ctranslate2" and model.labels == {"team": "voice"}
    assert model.path != str(copy) and len(model.sha256) == 64, "the model is copied into the store"
    assert client.models.get("tiny-copy").sha256 == model.sha256
    with pytest.raises(adapt.AlreadyExistsError):
        client.models.register(str(copy), model_id="tiny-copy")
    audio = write_audio(model_root / "speech.flac", _speech(), 16000, "flac")
    by_copy = client.speech.transcribe(audio, model="tiny-copy")
    assert by_copy.model == "tiny-copy"
    assert by_copy.text == client.speech.transcribe(audio, model="whisper-tiny.en").text != ""
    client.models.delete("tiny-copy")
    with pytest.raises(adapt.NotFoundError):
        client.models.get("tiny-copy")


def test_register_a_hugging_face_directory(client, model_root):
    from transformers import WhisperConfig, WhisperForConditionalGeneration
    config = WhisperConfig(vocab_size=51864, d_model=64, encoder_layers=1, decoder_layers=1,
                           encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=128,
                           decoder_ffn_dim=128, max_source_positions=1500, max_target_positions=448)
    directory = model_root / "hf-mini"
    WhisperForConditionalGeneration(config).save_pretrained(directory)
    shutil.copy(bundled_model_path() / "tokenizer.json", directory / "tokenizer.json")
    model = client.models.register(str(directory), model_id="hf-mini")
    assert model.format == "huggingface" and model.family == "whisper" and model.n_mels == 80


@pytest.mark.parametrize("make, error, fragment", [
    (lambda d: (d / "readme.txt").write_text("hi"), adapt.InvalidArgumentError, "holds no model"),
    (lambda d: (d / "model.bin").write_bytes(b"\x00\x01"), adapt.FailedPreconditionError, "truncated"),
    (lambda d: (d / "config.json").write_text(json.dumps({"model_type": "bert"})), adapt.InvalidArgumentError,
     "model_type 'bert', which Adapt does not serve; supported families"),
    (lambda d: (d / "config.json").write_text("{not json"), adapt.FailedPreconditionError, "not readable JSON"),
])
def test_invalid_directories_are_refused_with_the_reason(client, model_root, models_server, make, error, fragment):
    directory = model_root / f"bad-{abs(hash(fragment))}"
    directory.mkdir()
    make(directory)
    with pytest.raises(error, match=fragment):
        client.models.register(str(directory), model_id="bad")
    assert models_server.alive()


def test_paths_outside_the_roots_and_bad_ids_are_refused(client, model_root):
    with pytest.raises(adapt.PermissionDeniedError, match="outside every source root"):
        client.models.register(str(bundled_model_path()))
    with pytest.raises(adapt.InvalidArgumentError, match="model_id"):
        client.models.register(str(model_root), model_id="Bad Id!")
    with pytest.raises(adapt.FailedPreconditionError, match="bundled"):
        client.models.delete("whisper-tiny.en")


def test_api_key_is_required_when_configured(tmp_path):
    server = ServerProcess(tmp_path / "data", [tmp_path], extra_args=["--api-key", "s3cret"]).start()
    try:
        with pytest.raises(adapt.UnauthenticatedError, match="API key"):
            list(adapt.Client(server.target).models.list())
        with pytest.raises(adapt.UnauthenticatedError):
            list(adapt.Client(server.target, api_key="wrong").models.list())
        assert any(m.id == "whisper-tiny.en" for m in adapt.Client(server.target, api_key="s3cret").models.list())
    finally:
        server.stop()
