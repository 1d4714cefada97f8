"""The docs' model names: NOT_FOUND carries the exact command that registers them."""
from __future__ import annotations

from adapt_server.models.names import DOCS_MODELS, model_not_found, register_command


def test_every_docs_name_has_its_register_command():
    assert register_command("qwen3-asr") == "adapt models register /models/Qwen3-ASR-1.7B --id qwen3-asr"
    for name in ("voxtral-realtime", "cohere-transcribe-2b", "pyannote-3.3"):
        error = model_not_found(name)
        assert error.code == "NOT_FOUND" and f"--id {name}`" in error.message and DOCS_MODELS[name] in error.message


def test_another_unknown_id_says_to_list_models():
    error = model_not_found("my-model", "candidate model", hint=" (diarizers: adapt-diarizer)")
    assert error.message == "candidate model 'my-model' does not exist; list models to see the ids (diarizers: " \
                            "adapt-diarizer)"
    assert register_command("my-model") is None
