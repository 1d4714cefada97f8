"""Loaded engines, shared across requests: each (model, path, compute type) is loaded once and kept in a
small LRU cache.

Thread-safe. A lock per key makes concurrent requests for a model that is not loaded yet wait for one
load instead of loading it twice; requests for other models are not blocked meanwhile. Evicting an engine
only drops the registry's reference: requests still holding it finish normally and the memory is freed
after them.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from adapt_kernels.threads import ThreadBudget

from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.store.models import ModelRecord

MODEL_FORMATS = ("ctranslate2", "huggingface")
POCKETSPHINX_FORMAT = "pocketsphinx"  # the classical baseline bundled with the pocketsphinx package
DEFAULT_MAX_ENGINES = 2  # loaded models kept at once (tiny.en int8 is ~40 MB, large-v3 several GB)


@dataclass(frozen=True)
class ModelSource:
    """Where a model's files are: what the registry needs of a ModelRecord."""

    model_id: str  # e.g. "whisper-tiny.en", "ft:whisper-tiny.en:abc123"
    path: Path  # the model directory
    format: str  # "ctranslate2" | "huggingface"
    fingerprint: str = ""  # content hash naming the converted copy of a Hugging Face model ("": file stats)

    @classmethod
    def of(cls, model: ModelRecord | ModelSource | tuple[str, str | Path, str]) -> ModelSource:
        if isinstance(model, ModelSource):
            return model
        if isinstance(model, ModelRecord):
            return cls(model.id, Path(model.path), model.format, model.sha256[:16])
        if isinstance(model, tuple) and len(model) == 3:
            model_id, path, model_format = model
            return cls(str(model_id), Path(path), str(model_format))
        raise TypeError(f"a model is a ModelRecord, a ModelSource or (model_id, path, format); got {model!r}")


class EngineRegistry:
    """Resolves a model to a loaded WhisperEngine (or, for format "pocketsphinx", the shared PocketsphinxEngine).

    cache_dir: where Hugging Face models are converted to CTranslate2 (created when needed).
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
        self.device = device
        self.loads = 0  # engines constructed so far (a cache hit does not count)
        self._engines: OrderedDict[tuple[str, str, str], WhisperEngine] = OrderedDict()
        self._lock = threading.Lock()  # guards _engines, _key_locks and loads
        self._key_locks: dict[tuple[str, str, str], threading.Lock] = {}

    def get(self, model: ModelRecord | ModelSource | tuple[str, str | Path, str],
            compute_type: str = "int8") -> WhisperEngine:
        """The engine for `model` at `compute_type`, loading it on first use.

        Raises ModelLoadError (FAILED_PRECONDITION) when the directory is missing or not a usable Whisper
        model, UnsupportedComputeType (INVALID_ARGUMENT) for a compute type the device cannot run.
        """
        source = ModelSource.of(model)
        if source.format == POCKETSPHINX_FORMAT:  # one shared, thread-safe engine; compute type does not apply
            from adapt_server.engines.pocketsphinx_engine import shared_pocketsphinx_engine
            return shared_pocketsphinx_engine()
        if source.format not in MODEL_FORMATS:
            raise ModelLoadError(f"model {source.model_id!r} has format {source.format!r}; the Whisper engine "
                                 f"loads {list(MODEL_FORMATS)}")
        key = (source.model_id, str(source.path), compute_type)
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
            engine = self._load(source, compute_type)
            with self._lock:
                self.loads += 1
                self._engines[key] = engine
                while len(self._engines) > self.max_engines:
                    evicted, _ = self._engines.popitem(last=False)
                    self._key_locks.pop(evicted, None)
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
            return len(keys)

    def _hit(self, key: tuple[str, str, str]) -> WhisperEngine | None:
        engine = self._engines.get(key)
        if engine is not None:
            self._engines.move_to_end(key)
        return engine

    def _load(self, source: ModelSource, compute_type: str) -> WhisperEngine:
        if not source.path.is_dir():
            raise ModelLoadError(f"model {source.model_id!r}: directory {source.path} does not exist; "
                                 "register the model again")
        return WhisperEngine(source.path, source.model_id, compute_type=compute_type, device=self.device,
                             threads=self.threads, engine_cache_dir=self.cache_dir,
                             fingerprint=source.fingerprint or None)
