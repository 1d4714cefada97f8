"""Loaded engines, shared across requests: each (model, path, compute type) is loaded once and kept in a
small LRU cache.

A model comes as a `ModelSource` (where its files are and in which format); the format picks its loader in
`LOADERS`, the one table of what this server can load: a new family or backend is one entry there.

Thread-safe. A lock per key makes concurrent requests for a model that is not loaded yet wait for one
load instead of loading it twice; requests for other models are not blocked meanwhile. Evicting an engine
only drops the registry's reference: requests still holding it finish normally and the memory is freed
after them.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapt_kernels.threads import ThreadBudget

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.protocol import Recognizer, WordAligner
from adapt_server.observability import metrics

DEFAULT_MAX_ENGINES = 2  # loaded models kept at once (tiny.en int8 is ~40 MB, large-v3 several GB)


@dataclass(frozen=True)
class ModelSource:
    """A model's files, as the registry needs them (the catalogue makes one from its record)."""

    model_id: str  # e.g. "whisper-tiny.en", "ft:whisper-tiny.en:abc123"
    path: Path  # the model directory
    format: str  # picks the loader: "ctranslate2" | "huggingface" | "transformers" | "pocketsphinx" (LOADERS)
    family: str = ""  # e.g. "whisper", "pocketsphinx", "qwen3_asr"
    fingerprint: str = ""  # content hash naming the converted copy of a Hugging Face model ("": file stats)
    role: str = "recognizer"  # "recognizer" (a Recognizer) | "aligner" (a WordAligner only, e.g. Qwen3-ForcedAligner)


@dataclass(frozen=True)
class LoadSettings:
    """How the registry loads every engine."""

    compute_type: str  # e.g. "int8", "float32" (CTranslate2 compute types; a loader may ignore it)
    device: str  # "cpu" | "cuda"
    threads: ThreadBudget | None  # CPU thread budget (None: all cores)
    cache_dir: Path  # where a loader may keep converted copies of models


@dataclass(frozen=True)
class EngineLoader:
    """How one format is loaded. shared: `load` returns one process-wide engine (thread-safe, nothing to
    configure), which the registry neither caches nor counts, and compute types do not apply.
    load_aligner: loads a source of role "aligner" (a WordAligner); None when the format has no aligners.
    compute_types: False when the format picks its own precision (the transformers backend: float32 on CPU,
    bfloat16/float16 on CUDA), so requests with different compute types share one engine."""

    load: Callable[[ModelSource, LoadSettings], Recognizer]
    shared: bool = False
    load_aligner: Callable[[ModelSource, LoadSettings], WordAligner] | None = None
    compute_types: bool = True


def _whisper(source: ModelSource, settings: LoadSettings) -> Recognizer:
    """CTranslate2 Whisper; a Hugging Face directory is converted once into the cache first."""
    from adapt_server.engines.whisper import WhisperEngine

    if not source.path.is_dir():
        raise ModelLoadError(f"model {source.model_id!r}: directory {source.path} does not exist; "
                             "register the model again")
    return WhisperEngine(source.path, source.model_id, compute_type=settings.compute_type, device=settings.device,
                         threads=settings.threads, engine_cache_dir=settings.cache_dir,
                         fingerprint=source.fingerprint or None)


def _transformers(source: ModelSource, settings: LoadSettings) -> Recognizer:
    """The transformers backend (Qwen3-ASR, Voxtral, Voxtral Realtime, Cohere Transcribe, Whisper in HF format)."""
    from adapt_server.engines.transformers import load_transformers_recognizer

    return load_transformers_recognizer(source.model_id, source.path, device=settings.device, dtype="auto",
                                        threads=settings.threads)


def _transformers_aligner(source: ModelSource, settings: LoadSettings) -> WordAligner:
    """A Qwen3-ForcedAligner directory as a WordAligner."""
    from adapt_server.engines.transformers import load_transformers_aligner

    return load_transformers_aligner(source.model_id, source.path, device=settings.device, dtype="auto",
                                     threads=settings.threads)


def _pocketsphinx(source: ModelSource, settings: LoadSettings) -> Recognizer:
    from adapt_server.engines.pocketsphinx_engine import shared_pocketsphinx_engine

    return shared_pocketsphinx_engine()


LOADERS: dict[str, EngineLoader] = {  # model format -> its loader
    "ctranslate2": EngineLoader(_whisper),
    "huggingface": EngineLoader(_whisper),
    "transformers": EngineLoader(_transformers, load_aligner=_transformers_aligner, compute_types=False),
    "pocketsphinx": EngineLoader(_pocketsphinx, shared=True),
}
WHISPER_FORMATS = ("ctranslate2", "huggingface")  # WhisperEngine: a Recognizer and a WordAligner in one


class EngineRegistry:
    """Resolves a model to a loaded engine (a `Recognizer`), through the loader of its format.

    cache_dir: where loaders keep converted models (Hugging Face -> CTranslate2; created when needed).
    threads: the CPU thread budget every engine gets (None: all cores).
    max_engines: engines kept loaded; the least recently used one is dropped beyond that.
    """

    def __init__(self, cache_dir: Path, threads: ThreadBudget | None = None,
                 max_engines: int = DEFAULT_MAX_ENGINES, device: str = "cpu"):
        if isinstance(max_engines, bool) or not isinstance(max_engines, int) or max_engines < 1:
            raise ValueError(f"max_engines must be an integer >= 1; got {max_engines!r}")
        self.cache_dir = Path(cache_dir)
        self.threads = threads
        self.max_engines = max_engines
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda'; got {device!r}")
        self.device = device
        self.loads = 0  # engines constructed so far (a cache hit does not count)
        self._engines: OrderedDict[tuple[str, str, str], Recognizer] = OrderedDict()
        self._lock = threading.Lock()  # guards _engines, _key_locks and loads
        self._key_locks: dict[tuple[str, str, str], threading.Lock] = {}

    @property
    def default_compute_type(self) -> str:
        """CTranslate2's compute type when a request names none: int8 on CPU, float16 on CUDA."""
        return "float16" if self.device == "cuda" else "int8"

    def get(self, source: ModelSource, compute_type: str | None = None) -> Recognizer:
        """The engine for `source` at `compute_type` (None: `default_compute_type`), loading it on first use.

        Raises ModelLoadError (FAILED_PRECONDITION) when the format has no loader or the files are missing or
        unusable, UnsupportedComputeType (INVALID_ARGUMENT) for a compute type the device cannot run.
        """
        loader = self._loader(source)
        if source.role != "recognizer":
            raise ModelLoadError(f"model {source.model_id!r} is an {source.role}, not a recognizer: it cannot "
                                 "transcribe; name a speech recognition model")
        return self._load(source, loader, loader.load, compute_type or self.default_compute_type)

    def aligner(self, source: ModelSource) -> WordAligner:
        """The WordAligner of `source`: a Whisper model (its cross-attention forced alignment) or a registered
        aligner (role "aligner", e.g. Qwen3-ForcedAligner). ModelLoadError when the model cannot time words."""
        loader = self._loader(source)
        if source.format in WHISPER_FORMATS:
            return self._load(source, loader, loader.load, self.default_compute_type)
        if source.role != "aligner" or loader.load_aligner is None:
            raise ModelLoadError(f"model {source.model_id!r} ({source.family}) is not a forced aligner; use a "
                                 "Whisper model or a registered Qwen3-ForcedAligner")
        return self._load(source, loader, loader.load_aligner, "-")

    def _loader(self, source: ModelSource) -> EngineLoader:
        if not isinstance(source, ModelSource):
            raise TypeError(f"a model is a ModelSource (model_id, path, format, ...); got {source!r}")
        loader = LOADERS.get(source.format)
        if loader is None:
            raise ModelLoadError(f"model {source.model_id!r} has format {source.format!r}; this server loads "
                                 f"{sorted(LOADERS)}")
        return loader

    def _load(self, source: ModelSource, loader: EngineLoader, load: Callable, compute_type: str):
        settings = LoadSettings(compute_type, self.device, self.threads, self.cache_dir)
        if loader.shared:
            return load(source, settings)
        key = (source.model_id, str(source.path), compute_type if loader.compute_types else "-")
        with self._lock:
            engine = self._hit(key)
            if engine is not None:
                return engine
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one load per key; other keys load in parallel
            with self._lock:
                engine = self._hit(key)
                if engine is not None:
                    return engine
            started = time.perf_counter()
            engine = load(source, settings)
            metrics.engine_loaded(source.format, time.perf_counter() - started)
            with self._lock:
                self.loads += 1
                self._engines[key] = engine
                while len(self._engines) > self.max_engines:
                    evicted, _ = self._engines.popitem(last=False)
                    self._key_locks.pop(evicted, None)
                    metrics.engine_evicted()
        return engine

    def loaded(self) -> list[tuple[str, str]]:
        """(model_id, compute_type) of the engines loaded now, least recently used first."""
        with self._lock:
            return [(model_id, compute_type) for model_id, _, compute_type in self._engines]

    def evict(self, model_id: str) -> int:
        """Drops every loaded engine of model_id (e.g. after the model is deleted); returns how many."""
        with self._lock:
            keys = [key for key in self._engines if key[0] == model_id]
            for key in keys:
                del self._engines[key]
                self._key_locks.pop(key, None)
            metrics.engine_evicted(len(keys))
            return len(keys)

    def _hit(self, key: tuple[str, str, str]) -> Recognizer | None:
        engine = self._engines.get(key)
        if engine is not None:
            self._engines.move_to_end(key)
        return engine
