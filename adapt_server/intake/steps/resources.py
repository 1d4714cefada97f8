"""Heavy objects the steps of one ingest job share, loaded on first use and kept for the job's duration:
the Whisper engine (align), the redactor (spaCy + presidio), a pyannote pipeline. Lives in a job worker."""
from __future__ import annotations


class StepResources:
    """store: adapt_server.store.Store; config: ServerConfig (its engine_cache_dir holds converted models).

    On a node without the store (a shard on a Ray worker, jobs/executor.py): `models` (model id -> catalogue
    record with its path on that node, or None), `engine_cache_dir` and `threads` (a ThreadBudget) instead."""

    def __init__(self, store, config, *, models=None, engine_cache_dir=None, threads=None):
        self.store = store
        self.config = config
        self._models = models
        self._engine_cache_dir = engine_cache_dir
        self._threads = threads
        self._cache: dict[tuple, object] = {}

    def _cached(self, key: tuple, load):
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def engine(self, model_id: str):
        """The recognizer of a catalogue model with its word aligner (models/loading.py): `transcribe` and
        `align_words`, whatever the family (NotFound when the model was deleted since create)."""
        def load():
            from adapt_kernels.threads import thread_budget
            from adapt_server.engines.registry import EngineRegistry
            from adapt_server.errors import NotFound
            from adapt_server.models.loading import load_recognizer, load_with_aligner
            record = self._models(model_id) if self._models is not None else self.store.models.get(model_id)
            if record is None:
                raise NotFound(f"align: model {model_id!r} no longer exists; register it again")
            registry = EngineRegistry(
                self._engine_cache_dir or self.config.engine_cache_dir,
                threads=self._threads or thread_budget(worker_processes=self.config.workers), max_engines=2,
                device=getattr(self.config, "device", "cpu"))
            if self.store is not None:
                return load_recognizer(registry, self.store, record)
            # a node without the store: the driver shipped the aligner's record as "aligner:<model id>"
            return load_with_aligner(registry, record, self._models(f"aligner:{model_id}"))
        return self._cached(("engine", model_id), load)

    def redactor(self, entities: tuple[str, ...], pad_s: float):
        def load():
            from adapt_server.intake.redaction import Redactor
            return Redactor(entities=list(entities), pad_s=pad_s)
        return self._cached(("redactor", entities, pad_s), load)

    def diarizer_model(self, model_id: str):
        """The PyannoteDiarizer of a registered diarizer model (NotFound when it was deleted since create)."""
        def load():
            from adapt_server.errors import NotFound
            from adapt_server.intake.diarization import PyannoteDiarizer
            record = self.store.models.get(model_id)
            if record is None:
                raise NotFound(f"diarize: model {model_id!r} no longer exists; register it again")
            return PyannoteDiarizer.from_path(record.path)
        return self._cached(("diarizer", model_id), load)

    def pyannote(self, path: str):
        def load():
            from adapt_server.intake.diarization import PyannoteDiarizer
            return PyannoteDiarizer.from_path(path)
        return self._cached(("pyannote", path), load)
