"""Exports that standard tools read: ../shared/realspeech/diar recordings ingested (in-process: the real use
case and ingest job, no gRPC), exported as RTTM and scored with pyannote.metrics against the corpus's own
reference RTTMs, which are keyed by file name. Once with the references as sidecars (the export gives them
back: DER 0), once diarized by the embedded diarizer (every reference file is matched; the DER is the one of
the stored turns). An RTTM is read here the way pyannote.database's load_rttm reads it: one Annotation per
file id (field 2), speaker labels scoped by file."""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.realspeech]
RECORDINGS = ("pyannote_ami_dev00", "pyannote_ami_trn03")  # 30 s each, 2 and 3 speakers


def load_rttm(text: str) -> dict:
    """{file id: pyannote Annotation} from RTTM text, independently of adapt_server."""
    from pyannote.core import Annotation, Segment

    annotations: dict[str, Annotation] = {}
    for index, line in enumerate(text.splitlines()):
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            uri, onset, duration, speaker = fields[1], float(fields[3]), float(fields[4]), fields[7]
            annotation = annotations.setdefault(uri, Annotation(uri=uri))
            annotation[Segment(onset, onset + duration), index] = speaker
    return annotations


def _uem(path: Path):
    from pyannote.core import Segment, Timeline

    _, _, start, end = path.read_text().split()
    return Timeline([Segment(float(start), float(end))])


class InProcessAdapt:
    """A data directory with the server's dataset use case and job runner, without gRPC."""

    def __init__(self, root: Path):
        from adapt_server.config import ServerConfig
        from adapt_server.server import prepare_data_dir

        (root / "sources").mkdir()
        self.sources = root / "sources"
        self.config = ServerConfig(data_dir=root / "data", source_roots=(self.sources,), workers=1).resolved()
        self.store = prepare_data_dir(self.config)

    def ingest(self, name: str, folder: Path, pipeline: list[dict]):
        from adapt_server.intake.service import DatasetService
        from adapt_server.jobs.worker import run_job
        from adapt_server.server import JOB_HANDLERS

        service = DatasetService(self.config, self.store)
        record = service.create(name, [{"type": "local", "uri": str(folder)}], pipeline, {}, "")
        while (job := self.store.jobs.claim("test-worker")) is not None:
            run_job(self.store, self.config, job, JOB_HANDLERS)
        record = self.store.datasets.get(record.id)
        assert record.job.state == "SUCCEEDED", record.job
        return service, record


@pytest.fixture(scope="module")
def adapt(tmp_path_factory):
    local = InProcessAdapt(tmp_path_factory.mktemp("export-scoring"))
    yield local
    local.store.close()


def _copy(realspeech: Path, folder: Path, suffixes: tuple[str, ...]) -> Path:
    folder.mkdir()
    for item in RECORDINGS:
        for suffix in suffixes:
            shutil.copy(realspeech / "diar" / f"{item}{suffix}", folder / f"{item}{suffix}")
    return folder


def test_exported_reference_turns_score_zero_against_the_file_keyed_references(adapt, realspeech):
    from pyannote.metrics.diarization import DiarizationErrorRate

    folder = _copy(realspeech, adapt.sources / "with-references", (".wav", ".rttm"))
    service, record = adapt.ingest("references", folder, [])
    exported = load_rttm(service.export(record.id, "rttm")[0])
    assert sorted(exported) == sorted(RECORDINGS)  # file ids are the file names, not internal recording ids
    metric = DiarizationErrorRate()
    for uri in RECORDINGS:
        reference = load_rttm((realspeech / "diar" / f"{uri}.rttm").read_text(encoding="utf-8"))[uri]
        assert metric(reference, exported[uri], uem=_uem(realspeech / "diar" / f"{uri}.uem")) == 0.0
        assert exported[uri].labels() == reference.labels()  # the references' own speaker names


def test_a_diarized_export_scores_directly_against_the_file_keyed_references(adapt, realspeech):
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    folder = _copy(realspeech, adapt.sources / "diarized", (".wav",))
    service, record = adapt.ingest("diarized", folder, [{"step": "diarize", "params": {"model": "embedded"}}])
    text, turns = service.export(record.id, "rttm")
    exported = load_rttm(text)
    assert sorted(exported) == sorted(RECORDINGS) and turns == len(text.splitlines())
    # what the store holds, by recording id, scored the same way: the export must carry exactly that
    names = {r.id: Path(r.source_uri).stem for r in adapt.store.datasets.recordings(record.id)}
    stored: dict[str, Annotation] = defaultdict(Annotation)
    for index, (rid, turn) in enumerate(adapt.store.datasets.turns(record.id)):
        if turn.origin == "diarize":
            stored[names[rid]][Segment(turn.start_s, turn.end_s), index] = turn.speaker
    from_export, from_store = DiarizationErrorRate(), DiarizationErrorRate()
    for uri in RECORDINGS:
        reference = load_rttm((realspeech / "diar" / f"{uri}.rttm").read_text(encoding="utf-8"))[uri]
        uem = _uem(realspeech / "diar" / f"{uri}.uem")
        assert all(label.startswith("spk") for label in exported[uri].labels())  # scoped by file, no prefix
        from_export(reference, exported[uri], uem=uem)
        from_store(reference, stored[uri], uem=uem)
    der = abs(from_export)
    print(f"\nDER of the exported RTTM on {RECORDINGS}: {der:.4f}")  # visible with -s
    assert der == pytest.approx(abs(from_store), abs=2e-3)  # the export rounds times to milliseconds
    assert der < 0.5  # matched to the right files (a mismatched file id would score 1.0: all speech missed)
