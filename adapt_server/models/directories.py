"""What a directory handed to RegisterModel holds: its family, format and role, validated before anything is
copied (pure I/O on the directory's files; no model is built).

- a CTranslate2 Whisper model (`model.bin`), or a Hugging Face Whisper model (config.json `model_type: whisper`,
  converted to CTranslate2 when first loaded): engines/model_directory.py;
- a Hugging Face model of another family the transformers backend serves (qwen3_asr, voxtral, voxtral_realtime,
  cohere_asr; a Qwen3-ForcedAligner is role "aligner"): engines/transformers/directory.py;
- a pyannote.audio pipeline directory (`config.yaml` naming the pipeline, checkpoints by relative path): a
  diarizer (intake/diarization/pyannote_backend.py runs it).

Errors: InvalidArgument for a directory that is none of these (an unsupported model_type names it and the
supported families); FailedPrecondition (ModelLoadError) for a supported one that is incomplete or damaged
(truncated weights, a missing tokenizer or processor file) or whose family this server cannot import.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory
from adapt_server.engines.transformers.directory import check_weights, inspect_transformers_directory, read_config
from adapt_server.engines.transformers.families import SUPPORTED_MODEL_TYPES, unavailable_reason
from adapt_server.errors import FailedPrecondition, InvalidArgument

PIPELINE_CONFIG = "config.yaml"  # a pyannote.audio pipeline directory's file
ENGLISH_ONLY = ("en",)


@dataclass(frozen=True)
class DescribedModel:
    """A validated model directory, as the catalogue records it."""

    family: str  # "whisper" | "qwen3_asr" | "voxtral" | "voxtral_realtime" | "cohere_asr" | "pyannote"
    format: str  # "ctranslate2" | "huggingface" (Whisper) | "transformers" | "pyannote"
    role: str  # "recognizer" | "aligner" | "diarizer"
    multilingual: bool
    n_mels: int  # 80 or 128 (0: not a log-mel model, e.g. a diarizer)
    size_bytes: int
    languages: tuple[str, ...]  # () when not stated (multilingual Whisper: any of its ~99)
    parameters: int  # number of weights (0 unknown)
    architecture: str  # e.g. "WhisperSpec", "Qwen3ASRForConditionalGeneration", "SpeakerDiarization"


def describe_directory(path: Path) -> DescribedModel:
    """Validates `path` and describes it (see the module docstring for the errors)."""
    path = Path(path)
    if not path.is_dir():
        raise InvalidArgument(f"{path} is not a directory; pass the folder that holds the model files")
    if (path / "model.bin").is_file():
        return _whisper(path)
    if (path / "config.json").is_file():
        model_type = read_config(path).get("model_type")
        if model_type == "whisper":
            return _whisper(path)
        return _transformers(path)
    if (path / PIPELINE_CONFIG).is_file():
        return _pyannote_pipeline(path)
    raise InvalidArgument(
        f"{path} holds no model: expected a CTranslate2 Whisper model (model.bin + config.json), a Hugging Face "
        f"model (config.json with a model_type among {', '.join(SUPPORTED_MODEL_TYPES)}, *.safetensors, the "
        f"tokenizer and processor files) or a pyannote.audio pipeline ({PIPELINE_CONFIG})")


def _whisper(path: Path) -> DescribedModel:
    try:
        info = inspect_model_directory(path)
    except InvalidModelDirectory as exc:
        message = str(exc)
        if "truncated" in message or "no weights" in message or "no tokenizer" in message:
            raise ModelLoadError(f"{message}; copy the complete model directory") from None
        raise InvalidArgument(f"not a usable Whisper model: {message}") from None
    parameters = 0
    if info.format == "huggingface" and any(path.glob("*.safetensors")):
        parameters = check_weights(path)[1]  # reads the headers: refuses truncated safetensors
    return DescribedModel(family="whisper", format=info.format, role="recognizer", multilingual=info.multilingual,
                          n_mels=info.n_mels, size_bytes=info.size_bytes,
                          languages=() if info.multilingual else ENGLISH_ONLY, parameters=parameters,
                          architecture="WhisperSpec" if info.format == "ctranslate2"
                          else "WhisperForConditionalGeneration")


def _transformers(path: Path) -> DescribedModel:
    described = inspect_transformers_directory(path)  # UnsupportedModelType (INVALID_ARGUMENT), ModelLoadError
    reason = unavailable_reason(described.family)
    if reason is not None:
        raise FailedPrecondition(f"{path} is a {described.family_info.display_name} model, which this server does "
                                 f"not offer: {reason}")
    return DescribedModel(family=described.family, format="transformers", role=described.role,
                          multilingual=len(described.languages) != 1, n_mels=128, size_bytes=described.size_bytes,
                          languages=described.languages, parameters=described.parameters,
                          architecture=described.architecture)


def _pyannote_pipeline(path: Path) -> DescribedModel:
    """A pyannote.audio pipeline directory: config.yaml whose checkpoint paths (relative to the directory) exist."""
    import yaml

    config_path = path / PIPELINE_CONFIG
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ModelLoadError(f"{config_path} is not readable YAML ({exc}); copy it again") from None
    pipeline = config.get("pipeline") if isinstance(config, dict) else None
    if not isinstance(pipeline, dict) or not pipeline.get("name"):
        raise InvalidArgument(f"{config_path} names no pipeline (pipeline.name); a pyannote.audio pipeline "
                              "directory's config.yaml has `pipeline: {name: ..., params: ...}`")
    params = pipeline.get("params") or {}
    local = {key: _local(path, value) for key, value in params.items() if isinstance(value, str)}
    local = {key: value for key, value in local.items() if value is not None}
    missing = [f"{key}: {params[key]}" for key, value in sorted(local.items()) if not value.exists()]
    if missing:
        raise ModelLoadError(f"{path}: the pipeline's checkpoints {missing} are not in the directory; copy them "
                             "next to config.yaml (paths are relative to it)")
    reason = pyannote_unavailable_reason()
    if reason is not None:
        raise FailedPrecondition(f"{path} is a pyannote.audio pipeline, which this server does not offer: {reason}")
    size = sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    parameters = sum(_checkpoint_parameters(value) for value in local.values())
    return DescribedModel(family="pyannote", format="pyannote", role="diarizer", multilingual=True, n_mels=0,
                          size_bytes=size, languages=(), parameters=parameters,
                          architecture=str(pipeline["name"]).rsplit(".", 1)[-1])


def _local(path: Path, value: str) -> Path | None:
    """The local file or folder a pipeline parameter names (`$model/segmentation`, `segmentation.bin`, ...), or
    None when the value is not a path (e.g. a clustering method's name)."""
    if value.startswith("$model/"):
        candidate = path / value[len("$model/"):]
    elif value.endswith((".bin", ".ckpt", ".pt", ".pth", ".safetensors", ".onnx")) or value.startswith(("./", "../")):
        candidate = path / value
    else:
        return None
    if not candidate.resolve().is_relative_to(path.resolve()):
        raise InvalidArgument(f"{path}/{PIPELINE_CONFIG}: {value!r} points outside the pipeline directory; keep every "
                              "checkpoint inside it (it is copied into the server's store as one tree)")
    return candidate


def _checkpoint_parameters(path: Path) -> int:
    """Weights in a torch checkpoint's state dict (a folder: its pytorch_model.bin; 0 when unreadable)."""
    if path.is_dir():
        path = path / "pytorch_model.bin"
    if not path.is_file():
        return 0
    try:
        import torch
        checkpoint = torch.load(str(path), map_location="cpu", weights_only=False)
        state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else {}
        return int(sum(value.numel() for value in state.values() if hasattr(value, "numel")))
    except Exception:
        return 0


_PYANNOTE_REASON: list[str | None] = []


def pyannote_unavailable_reason() -> str | None:
    """Why pyannote.audio pipelines cannot run on this server (it does not import), or None. Cached per process;
    its telemetry is switched off first (PYANNOTE_METRICS_ENABLED=0, as adapt_server/egress.py does)."""
    if not _PYANNOTE_REASON:
        os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
        try:
            with warnings.catch_warnings():  # torchcodec's FFmpeg decoding is not needed: audio comes in memory
                warnings.simplefilter("ignore")
                import pyannote.audio  # noqa: F401
            reason = None
        except Exception as exc:  # ImportError, or torchaudio's native libraries failing to load
            reason = (f"pyannote.audio does not import here ({type(exc).__name__}: {str(exc)[:200]}); install the "
                      "server's pyannote extra (scripts/setup.sh does)")
        _PYANNOTE_REASON.append(reason)
    return _PYANNOTE_REASON[0]
