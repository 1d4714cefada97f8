"""The model names the product docs use, and what to tell a user whose server has not registered them yet.

The docs write `candidates=["qwen3-asr", "voxtral-realtime", "cohere-transcribe-2b"]`, `{"step": "align", "model":
"qwen3-asr"}`, `base_model="qwen3-asr"` and `{"step": "diarize", "model": "pyannote-3.3"}`. No weights of those
ship with Adapt: each name resolves to whatever model is registered under it, and until one is, NOT_FOUND carries
the exact command that registers it from the team's own copy.
"""
from __future__ import annotations

from adapt_server.errors import NotFound, echo

# docs' name -> where the docs' register command expects the team's copy of the model
DOCS_MODELS = {
    "qwen3-asr": "/models/Qwen3-ASR-1.7B",
    "qwen3-forced-aligner": "/models/Qwen3-ForcedAligner-0.6B",
    "voxtral": "/models/Voxtral-Mini-3B-2507",
    "voxtral-realtime": "/models/Voxtral-Mini-4B-Realtime-2602",
    "cohere-transcribe-2b": "/models/cohere-transcribe-2b",
    "pyannote-3.3": "/models/pyannote-speaker-diarization-3.3",
}


def register_command(model_id: str) -> str | None:
    """`adapt models register <path> --id <model_id>` for a docs' name, else None."""
    path = DOCS_MODELS.get(model_id)
    return f"adapt models register {path} --id {model_id}" if path else None


def model_not_found(model_id: str, what: str = "model", hint: str = "") -> NotFound:
    """NotFound for an unknown model id; a docs' name gets the command that registers it."""
    command = register_command(model_id)
    if command:
        return NotFound(f"{what} {echo(model_id)} is not registered on this server (Adapt ships no weights of it): copy "
                        f"the model into the server and register it: `{command}`")
    return NotFound(f"{what} {echo(model_id)} does not exist; list models to see the ids{hint}")
