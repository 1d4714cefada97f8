"""Shared fixtures of the training tests: the imported base model (once per session) and tiny item sets."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from adapt_server.models.bundled import bundled_model_path

REALSPEECH_ASR = Path(__file__).resolve().parents[3] / ".." / "shared" / "realspeech" / "asr"

torch.set_num_threads(2)


@pytest.fixture(scope="session")
def base_model_dir() -> Path:
    return bundled_model_path()


@pytest.fixture(scope="session")
def imported(base_model_dir):
    """The bundled tiny.en imported into torch; tests that train must use `fresh_model` (a copy)."""
    from adapt_server.training.ct2_import import import_base_model
    return import_base_model(base_model_dir)


@pytest.fixture
def fresh_model(imported):
    """A private copy of the imported model, safe to train."""
    return copy.deepcopy(imported.model)


@pytest.fixture(scope="session")
def call_items(tmp_path_factory):
    """(train, holdout) items of generated calls: 1 training call and 1 held-out call (about 20 turns)."""
    from adapt_server.sampledata.generate import generate_calls
    from adapt_server.training.sample_items import call_items as items_of
    root = tmp_path_factory.mktemp("calls")
    train = items_of(generate_calls(root / "train", n_calls=1, split="train"))
    holdout = items_of(generate_calls(root / "holdout", n_calls=1, split="holdout"))
    return train, holdout


@pytest.fixture(scope="session")
def speech_clip(call_items) -> tuple[np.ndarray, str]:
    """Real speech when ../shared/realspeech is present (the JFK clip), else a generated call turn."""
    jfk = REALSPEECH_ASR / "whisper_jfk.wav"
    if jfk.is_file():
        from adapt_server.audio.wav import read_pcm16_wav
        rows = [json.loads(line) for line in (REALSPEECH_ASR / "manifest.jsonl").read_text().splitlines()]
        text = next(row["text"] for row in rows if row["id"] == "whisper_jfk")
        return read_pcm16_wav(jfk)[0], text
    return call_items[1][0]


TINY_HYPERPARAMETERS = {"strategy": "full", "batch_size": 2, "micro_batch_size": 2, "max_steps": 2,
                        "learning_rate": 1e-5, "warmup_steps": 1, "seed": 0, "timestamp_ratio": 1.0}


def running_job_context(tmp_path: Path, kind: str = "fine_tune.run"):
    """A real JobContext over a real SQLite job queue, its job claimed (RUNNING), as a worker has it."""
    from adapt_server.jobs.context import JobContext
    from adapt_server.store.jobs import JobQueue
    from adapt_server.store.db import connect, migrate, transaction
    db = connect(tmp_path / "jobs.sqlite3")
    migrate(db)
    queue = JobQueue(db)
    with transaction(db):
        queue.enqueue(kind, "ft-test", {})
    job = queue.claim("test-worker")
    return JobContext(job=job, queue=queue, store=None, config=None)


@pytest.fixture
def job_context(tmp_path):
    """A claimed job's real JobContext (see running_job_context)."""
    return running_job_context(tmp_path)


@pytest.fixture(scope="session")
def tuned_run(tmp_path_factory, base_model_dir, call_items):
    """One tiny fine-tune through run_fine_tune (2 full steps), exported to every format; shared by tests.

    Returns (FineTuneOutput, the job context it reported to, the items it trained on)."""
    from adapt_server.training.job import run_fine_tune
    root = tmp_path_factory.mktemp("tuned")
    ctx = running_job_context(root)
    train = call_items[0][:4]
    holdout = call_items[1][:2]
    output = run_fine_tune(ctx, base_model_dir, "whisper-tiny.en", train, holdout, TINY_HYPERPARAMETERS,
                           root / "out", export_formats=("ctranslate2", "onnx", "huggingface"))
    return output, ctx, train
