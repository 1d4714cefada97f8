"""The factories the engine registry calls: a validated directory -> a loaded recognizer (or forced aligner).

    load_transformers_recognizer(model_id, path, device="cpu", dtype="auto", threads=None) -> Recognizer
    load_transformers_aligner(model_id, path, device="cpu", dtype="auto", threads=None) -> WordAligner

Both run `inspect_transformers_directory` first (errors: InvalidArgument for an unsupported model_type,
ModelLoadError / FAILED_PRECONDITION for missing or damaged files), load fully offline (HF_HUB_OFFLINE), and
set torch's threads from the thread budget. voxtral_realtime gives a StreamingRecognizer.
"""
from __future__ import annotations

import os
from pathlib import Path

from adapt_kernels.threads import ThreadBudget

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.transformers.directory import TransformersDirectory, inspect_transformers_directory
from adapt_server.engines.transformers.families import ALIGNER_CLASS, model_class
from adapt_server.engines.transformers.prompts import CODECS
from adapt_server.engines.transformers.runtime import apply_threads, resolve_device_and_dtype

_OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def load_transformers_recognizer(model_id: str, path: Path, device: str = "cpu", dtype: str = "auto",
                                 threads: ThreadBudget | int | None = None):
    """A `Recognizer` (StreamingRecognizer for voxtral_realtime) for the Hugging Face directory `path`."""
    described = inspect_transformers_directory(Path(path))
    if described.role == "aligner":
        raise ModelLoadError(f"{path} is a Qwen3-ForcedAligner ({ALIGNER_CLASS}), which times words but does not "
                             "transcribe; register it as an aligner, and a Qwen3-ASR model as the recognizer")
    model, torch_dtype = _load_model(model_id, described, device, dtype, threads)
    tokenizer, processor = _load_processor(model_id, described)
    return recognizer_from_model(model_id, model, processor, tokenizer, described, device)


def recognizer_from_model(model_id: str, model, processor, tokenizer, described: TransformersDirectory,
                          device: str = "cpu"):
    """A recognizer over an already loaded model (e.g. one being fine-tuned) and its directory's processor."""
    dtype_name = str(model.dtype).removeprefix("torch.")
    if described.family == "voxtral_realtime":
        from adapt_server.engines.transformers.realtime import RealtimeRecognizer
        return RealtimeRecognizer(model, processor, tokenizer, described, model_id, device, dtype_name)
    from adapt_server.engines.transformers.recognizer import TransformersRecognizer
    codec = CODECS[described.family](processor, tokenizer, model.config, getattr(model, "generation_config", None))
    return TransformersRecognizer(model, codec, described.family_info, model_id, device, dtype_name,
                                  described.languages)


def load_transformers_aligner(model_id: str, path: Path, device: str = "cpu", dtype: str = "auto",
                              threads: ThreadBudget | int | None = None):
    """A `WordAligner` for a Qwen3-ForcedAligner directory."""
    described = inspect_transformers_directory(Path(path))
    if described.role != "aligner":
        raise ModelLoadError(f"{path} is a {described.family_info.display_name} recognizer, not a forced aligner; "
                             f"an aligner directory's config.json names {ALIGNER_CLASS}")
    model, torch_dtype = _load_model(model_id, described, device, dtype, threads)
    _, processor = _load_processor(model_id, described)
    from adapt_server.engines.transformers.aligner import Qwen3ForcedAligner
    return Qwen3ForcedAligner(model, processor, model_id, device, str(torch_dtype).removeprefix("torch."))


def _load_model(model_id: str, described: TransformersDirectory, device: str, dtype: str, threads):
    os.environ.update(_OFFLINE)
    device, torch_dtype = resolve_device_and_dtype(device, dtype)
    apply_threads(threads)
    _quiet_transformers()
    name = ALIGNER_CLASS if described.role == "aligner" else described.family_info.model_class
    try:
        model = model_class(name).from_pretrained(str(described.path), dtype=torch_dtype, local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"model {model_id!r}: transformers cannot load {described.path} as {name}: "
                             f"{_first_line(exc)}; check that the directory is complete and matches "
                             "config.json") from None
    return model.to(device).eval(), torch_dtype


def _load_processor(model_id: str, described: TransformersDirectory):
    """(tokenizer, processor or feature extractor) of the directory. voxtral_realtime's processor needs
    mistral-common: its tokenizer and feature extractor load separately."""
    from transformers import AutoFeatureExtractor, AutoProcessor, AutoTokenizer

    path = str(described.path)
    try:
        if described.family == "voxtral_realtime":
            return AutoTokenizer.from_pretrained(path, local_files_only=True), \
                AutoFeatureExtractor.from_pretrained(path, local_files_only=True)
        processor = AutoProcessor.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, ImportError) as exc:
        raise ModelLoadError(f"model {model_id!r}: the tokenizer/processor files in {path} do not load: "
                             f"{_first_line(exc)}; copy the processor files that came with the model") from None
    tokenizer = getattr(processor, "tokenizer", None)
    if tokenizer is None:
        raise ModelLoadError(f"model {model_id!r}: {path} has a feature extractor but no tokenizer; copy the "
                             "tokenizer files that came with the model")
    return tokenizer, processor


def _quiet_transformers() -> None:
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
