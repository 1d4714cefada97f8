"""Shared fixtures of the evaluation tests: the realspeech ASR manifest and synthetic candidate results."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from adapt_server.evaluation import CandidateResult, Normalizer, TranscribedUtterance, score_utterances

VOCABULARY = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
              "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


@pytest.fixture(scope="session")
def asr_manifest(realspeech: Path) -> list[dict]:
    """../shared/realspeech/asr/manifest.jsonl: 39 items with references and tiny.en hypotheses."""
    lines = (realspeech / "asr" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def asr_summary(realspeech: Path) -> dict:
    return json.loads((realspeech / "asr" / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def manifest_utterances(asr_manifest) -> list[TranscribedUtterance]:
    """The manifest as utterances: tiny.en's hypotheses against the references (one recording per item)."""
    return [TranscribedUtterance(item["id"], item["text"], item["whisper_tiny_hyp"], recording_id=item["id"],
                                 speaker=item["speaker"] or "", source=item["source"].split(":")[0],
                                 audio_s=item["duration"]) for item in asr_manifest]


@pytest.fixture(scope="session")
def make_candidate() -> Callable[..., CandidateResult]:
    """A factory of synthetic candidates: `make_candidate(model_id, word_error_probability, seed,
    n_recordings, utterances_per_recording, rtf)`.

    Every candidate sees the same references (10 words each, drawn from a fixed seed); each reference word is
    replaced by another word with `word_error_probability`, drawn from the candidate's own `seed`.
    """
    def make(model_id: str, word_error_probability: float, seed: int, n_recordings: int = 30,
             utterances_per_recording: int = 2, rtf: float = 0.1) -> CandidateResult:
        references = np.random.default_rng(12345)
        errors = np.random.default_rng(seed)
        utterances = []
        for recording in range(n_recordings):
            for index in range(utterances_per_recording):
                words = list(references.choice(VOCABULARY, size=10))
                reference = " ".join(words)
                wrong = errors.random(len(words)) < word_error_probability
                hypothesis = " ".join("wrong" if flag else word for word, flag in zip(words, wrong))
                utterances.append(TranscribedUtterance(
                    f"rec{recording:03d}-utt{index}", reference, hypothesis, recording_id=f"rec{recording:03d}",
                    speaker=f"spk{recording % 4}", source="synthetic", audio_s=4.0, processing_s=4.0 * rtf))
        return CandidateResult(model_id, score_utterances(utterances, Normalizer("basic")))

    return make


# --- an in-process Adapt data directory: real SQLite, real job handlers, no gRPC ----------------------------
REALSPEECH_ASR_ITEMS = ("ps_librivox_0930", "sb_spk1_snt1", "ps_goforward")  # 9 s, three sources


class LocalAdapt:
    """A data directory served in-process: the use cases and job handlers the server runs, without gRPC.

    Jobs run in this process, one after another, when `run_jobs()` is called (as one worker would).
    """

    def __init__(self, data_dir: Path, source_root: Path):
        from adapt_server.config import ServerConfig
        from adapt_server.server import prepare_data_dir

        self.config = ServerConfig(data_dir=data_dir, source_roots=(source_root,), workers=1).resolved()
        self.store = prepare_data_dir(self.config)

    @property
    def evaluations(self):
        from adapt_server.evaluation.service import EvaluationService
        return EvaluationService(self.config, self.store)

    def run_jobs(self) -> None:
        from adapt_server.jobs.worker import run_job
        while (job := self.store.jobs.claim("test-worker")) is not None:
            run_job(self.store, self.config, job)

    def ingest(self, name: str, folder: Path) -> str:
        """Creates a dataset from a local folder and ingests it; returns its id."""
        from adapt_server.intake.service import DatasetService
        record = DatasetService(self.config, self.store).create(name, [{"type": "local", "uri": str(folder)}], [],
                                                                {}, "")
        self.run_jobs()
        assert self.store.datasets.get(record.id).job.state == "SUCCEEDED", self.store.datasets.get(record.id).job
        return record.id

    def evaluate(self, dataset_id: str, candidates: list[str], **options):
        """Creates an evaluation, runs its job, returns the finished EvaluationRecord."""
        record = self.evaluations.create(dataset_id, candidates, **options)
        self.run_jobs()
        return self.evaluations.get(record.id)


@pytest.fixture(scope="module")
def local_adapt(tmp_path_factory) -> LocalAdapt:
    root = tmp_path_factory.mktemp("local-adapt")
    (root / "sources").mkdir()
    adapt = LocalAdapt(root / "data", root / "sources")
    yield adapt
    adapt.store.close()


def write_realspeech_asr_folder(realspeech: Path, folder: Path, items=REALSPEECH_ASR_ITEMS) -> dict[str, dict]:
    """Copies realspeech/asr items into `folder` with .txt sidecar transcripts; returns id -> manifest item."""
    import shutil

    lines = (realspeech / "asr" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    manifest = {item["id"]: item for item in map(json.loads, filter(None, lines))}
    folder.mkdir(parents=True, exist_ok=True)
    for item_id in items:
        shutil.copy(realspeech / "asr" / f"{item_id}.wav", folder / f"{item_id}.wav")
        (folder / f"{item_id}.txt").write_text(manifest[item_id]["text"] + "\n", encoding="utf-8")
    return {item_id: manifest[item_id] for item_id in items}
