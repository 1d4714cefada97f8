"""Shared fixtures of the evaluation tests: an in-process data directory that runs the real job handlers, and the
synthetic candidates of the scoring tests."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.scoring.conftest import make_candidate  # noqa: F401 (a fixture test_results.py uses)

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
        from adapt_server.server import JOB_HANDLERS
        while (job := self.store.jobs.claim("test-worker")) is not None:
            run_job(self.store, self.config, job, JOB_HANDLERS)

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
