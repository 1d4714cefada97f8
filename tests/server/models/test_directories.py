"""RegisterModel's view of a directory: family, format, role, languages and parameters, or the canonical error."""
from __future__ import annotations

import json
import shutil

import pytest

from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.models.bundled import bundled_model_path
from adapt_server.models.directories import describe_directory
from testkit.tiny_checkpoints import TinyCheckpoints


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> TinyCheckpoints:
    return TinyCheckpoints(tmp_path_factory.mktemp("tiny-checkpoints"))


def test_a_ctranslate2_whisper_model_is_english_only_whisper():
    described = describe_directory(bundled_model_path())
    assert (described.family, described.format, described.role, described.languages) == (
        "whisper", "ctranslate2", "recognizer", ("en",))


@pytest.mark.parametrize("family,role", [("cohere_asr", "recognizer"), ("qwen3_forced_aligner", "aligner")])
def test_a_family_directory_is_described(tiny, family, role):
    described = describe_directory(tiny(family))
    assert described.format == "transformers" and described.role == role and described.parameters > 0
    assert "en" in described.languages and described.n_mels == 128


def test_an_unsupported_model_type_names_it_and_the_families(tiny, tmp_path):
    folder = shutil.copytree(tiny("cohere_asr"), tmp_path / "w2v")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "model_type": "wav2vec2"}))
    with pytest.raises(InvalidArgument, match="'wav2vec2'.*qwen3_asr, voxtral, voxtral_realtime, cohere_asr"):
        describe_directory(folder)


def test_a_pipeline_checkpoint_outside_the_directory_or_missing_is_refused(tmp_path):
    folder = tmp_path / "pipeline"
    folder.mkdir()
    config = "pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n  params:\n    segmentation: {}\n"
    (folder / "config.yaml").write_text(config.format("../elsewhere/pytorch_model.bin"))
    with pytest.raises(InvalidArgument, match="outside the pipeline directory"):
        describe_directory(folder)
    (folder / "config.yaml").write_text(config.format("$model/segmentation"))
    with pytest.raises(FailedPrecondition, match="not in the directory"):
        describe_directory(folder)
    (folder / "config.yaml").write_text("just: text\n")
    with pytest.raises(InvalidArgument, match="names no pipeline"):
        describe_directory(folder)


def test_an_empty_directory_says_what_a_model_holds(tmp_path):
    with pytest.raises(InvalidArgument, match="holds no model.*pyannote.audio pipeline"):
        describe_directory(tmp_path)


def test_a_family_whose_code_does_not_import_is_not_offered(tiny, monkeypatch):
    import sys

    from adapt_server.engines.transformers import families
    directory = tiny("cohere_asr")
    monkeypatch.setattr(families, "_UNAVAILABLE", {})
    monkeypatch.setitem(sys.modules, "transformers", None)  # as on a server without transformers
    with pytest.raises(FailedPrecondition, match="Cohere Transcribe model, which this server does not offer: "
                                                 "torch/transformers do not import"):
        describe_directory(directory)
    monkeypatch.setattr(families, "_UNAVAILABLE", {})
