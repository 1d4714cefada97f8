"""The speech families the transformers backend serves: what each is and how its model class, processor and
languages are found (a table of facts; prompts and output parsing are in `prompts.py`).

Every family takes 16 kHz mono audio as a 128-bin log-mel (its own processor computes it) and decodes windows
of at most 30 s. Family names are the `model_type` of the checkpoint's config.json.
"""
from __future__ import annotations

from dataclasses import dataclass

SAMPLE_RATE = 16000  # Hz: what every family's feature extractor takes
N_MELS = 128  # log-mel bins of every family here
MAX_WINDOW_S = 30.0  # seconds decoded at once (the VAD packs speech into windows of at most this)

# Qwen3-ASR's language names (transformers' processing_qwen3_asr.LANGUAGE_CODE_TO_NAME, 30 languages)
QWEN3_LANGUAGES = {"ar": "Arabic", "yue": "Cantonese", "zh": "Chinese", "cs": "Czech", "da": "Danish", "nl": "Dutch",
                   "en": "English", "fil": "Filipino", "fi": "Finnish", "fr": "French", "de": "German", "el": "Greek",
                   "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
                   "ko": "Korean", "mk": "Macedonian", "ms": "Malay", "fa": "Persian", "pl": "Polish",
                   "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "es": "Spanish", "sv": "Swedish",
                   "th": "Thai", "tr": "Turkish", "vi": "Vietnamese"}
# the languages Qwen3-ForcedAligner times (a subset of the ASR's)
QWEN3_ALIGNER_LANGUAGES = ("zh", "en", "yue", "fr", "de", "it", "ja", "ko", "pt", "ru", "es")
COHERE_LANGUAGES = ("ar", "de", "el", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "vi", "zh")
VOXTRAL_LANGUAGES = ("en", "es", "fr", "pt", "hi", "de", "nl", "it")  # Voxtral Mini's model card
VOXTRAL_REALTIME_LANGUAGES = ("en", "zh", "hi", "es", "ar", "fr", "pt", "ru", "de", "ja", "ko", "it", "nl")


@dataclass(frozen=True)
class Family:
    """One family: its config model_type and the facts the backend acts on."""

    model_type: str  # config.json "model_type"
    model_class: str  # the transformers class that generates text (or, for the aligner, classifies tokens)
    display_name: str  # for messages and docs
    languages: tuple[str, ...]  # language codes it transcribes (whisper: read from the checkpoint)
    detects_language: bool  # an empty DecodeOptions.language lets the model detect the language
    takes_language: bool  # the prompt carries the language when one is given
    needs_language: bool  # the prompt cannot be built without a language (no detection)
    native_streaming: bool  # decodes incrementally itself (StreamingRecognizer)
    processor_files: tuple[str, ...]  # at least one of these must exist besides the tokenizer
    recognizer: bool = True  # False: not a transcription model (the forced aligner)


FAMILIES: dict[str, Family] = {family.model_type: family for family in (
    Family("qwen3_asr", "Qwen3ASRForConditionalGeneration", "Qwen3-ASR", tuple(QWEN3_LANGUAGES),
           detects_language=True, takes_language=True, needs_language=False, native_streaming=False,
           processor_files=("processor_config.json", "preprocessor_config.json")),
    Family("voxtral", "VoxtralForConditionalGeneration", "Voxtral", VOXTRAL_LANGUAGES, detects_language=True,
           takes_language=True, needs_language=False, native_streaming=False,
           processor_files=("processor_config.json", "preprocessor_config.json")),
    Family("voxtral_realtime", "VoxtralRealtimeForConditionalGeneration", "Voxtral Realtime",
           VOXTRAL_REALTIME_LANGUAGES, detects_language=True, takes_language=False, needs_language=False,
           native_streaming=True, processor_files=("preprocessor_config.json", "processor_config.json")),
    Family("cohere_asr", "CohereAsrForConditionalGeneration", "Cohere Transcribe", COHERE_LANGUAGES,
           detects_language=False, takes_language=True, needs_language=True, native_streaming=False,
           processor_files=("processor_config.json", "preprocessor_config.json")),
    Family("whisper", "WhisperForConditionalGeneration", "Whisper (Hugging Face format)", (),
           detects_language=True, takes_language=True, needs_language=False, native_streaming=False,
           processor_files=("preprocessor_config.json", "processor_config.json")),
)}
# Qwen3-ForcedAligner shares model_type qwen3_asr; its config says so by its architecture (and num_labels)
ALIGNER_CLASS = "Qwen3ASRForTokenClassification"
SUPPORTED_MODEL_TYPES = tuple(FAMILIES)


def family_of(model_type: str) -> Family | None:
    return FAMILIES.get(model_type)


def is_forced_aligner(config: dict) -> bool:
    """config.json of a Qwen3-ForcedAligner (token classification) rather than the ASR model."""
    return ALIGNER_CLASS in (config.get("architectures") or [])


def model_class(name: str):
    """The transformers class called `name` (imported on first use)."""
    import transformers

    return getattr(transformers, name)


_UNAVAILABLE: dict[str, str | None] = {}


def unavailable_reason(model_type: str) -> str | None:
    """Why this server cannot serve `model_type` (its code does not import), or None when it can. Imports
    transformers once (seconds); the answer is cached per process. A server whose transformers lacks a family
    simply does not offer it: registering such a model is refused with this reason."""
    if model_type in _UNAVAILABLE:
        return _UNAVAILABLE[model_type]
    family = FAMILIES.get(model_type)
    reason = None
    if family is None:
        reason = f"{model_type!r} is not a family of the transformers backend ({', '.join(SUPPORTED_MODEL_TYPES)})"
    else:
        try:
            import torch  # noqa: F401
            import transformers
        except Exception as exc:  # ImportError, or a broken native library
            reason = f"torch/transformers do not import on this server ({type(exc).__name__}: {exc})"
        else:
            try:
                getattr(transformers, family.model_class)
            except Exception as exc:
                reason = (f"transformers {transformers.__version__} has no {family.model_class} "
                          f"({type(exc).__name__}); transformers >= 5.13 serves every family")
    _UNAVAILABLE[model_type] = reason
    return reason


def default_request_language(model_type: str, languages: tuple[str, ...]) -> str:
    """The language a request without one decodes in: "" (the model detects it) for families that detect, else
    English when the model has it, else its first language (Cohere Transcribe cannot detect)."""
    family = FAMILIES.get(model_type)
    if family is None or not family.needs_language:
        return ""
    return "en" if "en" in languages or not languages else languages[0]
