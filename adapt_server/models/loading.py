"""A catalogue record -> the engine that serves it, with word times, for every caller (speech, evaluations, the
intake's align step), so that all of them run a family the same way.

- `load_recognizer(registry, store, record)`: the record's Recognizer from the registry; a family that does not
  time words itself (the transformers families) gets its aligner (`aligner_for`): the registered Qwen3-ForcedAligner
  for qwen3_asr when there is one, else the project's Whisper forced aligner (the bundled whisper-tiny.en,
  `WhisperEngine.align_words`). So word times, hallucination checks on known non-speech, DER by words and the
  align step work for every candidate.
- `request_language(record, language)`: the language a request decodes in ("" lets the model detect it; a family
  that cannot detect, Cohere Transcribe, gets its default, English).
"""
from __future__ import annotations

from adapt_server.engines.aligned import with_word_times
from adapt_server.engines.protocol import Recognizer
from adapt_server.engines.registry import EngineRegistry
from adapt_server.engines.transformers.families import default_request_language
from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.models.sources import model_source
from adapt_server.store.models import ModelRecord

PREFERRED_QWEN3_ALIGNER = "qwen3-forced-aligner"  # the docs' name; else the newest registered Qwen3 aligner
TIMES_OWN_WORDS = ("ctranslate2", "huggingface", "pocketsphinx")  # formats whose engines time words themselves


def aligner_for(store, record: ModelRecord) -> ModelRecord | None:
    """The model that times `record`'s words, or None when its engine times them itself."""
    if record.format in TIMES_OWN_WORDS:
        return None
    if record.family == "qwen3_asr":
        aligners = [a for a in store.models.with_role("aligner") if a.family == "qwen3_asr"]
        preferred = [a for a in aligners if a.id == PREFERRED_QWEN3_ALIGNER]
        if preferred or aligners:
            return (preferred or aligners)[-1]
    return store.models.get(BUNDLED_BASE_MODEL)


def check_recognizer(record: ModelRecord, field: str = "model") -> None:
    """InvalidArgument when the record is not a speech recognizer (an aligner or a diarizer)."""
    if record.role != "recognizer":
        raise InvalidArgument(f"{field} {record.id!r} is a {record.family} {record.role}, not a speech recognizer; "
                              "name a model that transcribes (list models: role 'recognizer')")


def load_recognizer(registry: EngineRegistry, store, record: ModelRecord, compute_type: str | None = None,
                    word_times: bool = True) -> Recognizer:
    """The loaded recognizer of `record` (see the module docstring); word_times False skips the aligner."""
    return load_with_aligner(registry, record, aligner_for(store, record) if word_times else None, compute_type)


def load_with_aligner(registry: EngineRegistry, record: ModelRecord, aligner: ModelRecord | None,
                      compute_type: str | None = None) -> Recognizer:
    """`record`'s recognizer with word times from `aligner` (None: as the engine serves them). For a node that
    has no store (a shard on a Ray worker): the driver resolves `aligner_for` and ships both records."""
    check_recognizer(record)
    engine = registry.get(model_source(record), compute_type)
    if aligner is None:
        return engine
    return with_word_times(engine, registry.aligner(model_source(aligner)))


def request_language(record: ModelRecord, language: str) -> str:
    """The language code a request for `record` decodes in (see the module docstring); InvalidArgument naming the
    model's languages when it does not transcribe `language`."""
    if language:
        if record.languages and language not in record.languages:
            raise InvalidArgument(f"config.language {language!r} is not a language of model {record.id!r}; it "
                                  f"transcribes {', '.join(record.languages)}"
                                  + ("" if record.format != "transformers" else " (or '' to let it decide)"))
        return language
    if record.format == "transformers":
        return default_request_language(record.family, tuple(record.languages))
    if record.family == "pocketsphinx":
        return "en"
    return ""


def require_model(store, model_id: str) -> ModelRecord:
    record = store.models.get(model_id)
    if record is None:
        raise FailedPrecondition(f"model {model_id!r} was deleted while the work waited; register it again")
    return record
