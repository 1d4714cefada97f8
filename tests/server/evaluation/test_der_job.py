"""DER of a diarizer candidate on realspeech/diar recordings (RTTM references imported as speaker turns) agrees
with pyannote.metrics run directly on the RTTM and UEM files and the hypothesis turns the evaluation stored."""
from __future__ import annotations

import shutil

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.realspeech]
RECORDINGS = ("pyannote_ami_dev00", "pyannote_ami_trn03")  # 30 s each, 2 and 3 speakers


@pytest.fixture(scope="module")
def diarized(local_adapt, realspeech):
    try:
        from adapt_server.intake.diarization import diarize  # noqa: F401  (the DIAR area's embedded diarizer)
    except ImportError as exc:
        pytest.skip(f"the embedded diarizer is not available: {exc}")
    folder = local_adapt.config.source_roots[0] / "realspeech-diar"
    folder.mkdir()
    for item in RECORDINGS:
        for suffix in (".wav", ".rttm"):
            shutil.copy(realspeech / "diar" / f"{item}{suffix}", folder / f"{item}{suffix}")
    dataset_id = local_adapt.ingest("realspeech-diar", folder)
    record = local_adapt.evaluate(dataset_id, ["adapt-diarizer"], metrics=["diarization_error_rate"])
    assert record.job.state == "SUCCEEDED", record.job
    return record


def _annotation(path, uri):
    """An RTTM file read independently of adapt_server (fields 4, 5, 8: onset, duration, speaker)."""
    from pyannote.core import Annotation, Segment

    annotation = Annotation(uri=uri)
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            onset, duration = float(fields[3]), float(fields[4])
            annotation[Segment(onset, onset + duration), index] = fields[7]
    return annotation


def test_der_agrees_with_pyannote_metrics_run_directly(local_adapt, diarized, realspeech):
    from pyannote.core import Annotation, Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    recordings = {r.id: r for r in local_adapt.store.datasets.recordings(diarized.dataset_id)}
    metric = DiarizationErrorRate(collar=0.0, skip_overlap=False)
    rows = {row["recording_id"]: row for row in diarized.result["diarization"]}
    assert len(rows) == len(RECORDINGS)
    for recording_id, row in rows.items():
        stem = recordings[recording_id].source_uri.rsplit("/", 1)[-1].removesuffix(".wav")
        reference = _annotation(realspeech / "diar" / f"{stem}.rttm", stem)
        hypothesis = Annotation(uri=stem)
        for index, turn in enumerate(row["hypothesis_turns"]):
            hypothesis[Segment(turn["start"], turn["end"]), index] = turn["speaker"]
        _, _, start, end = (realspeech / "diar" / f"{stem}.uem").read_text().split()
        per_recording = metric(reference, hypothesis, uem=Timeline([Segment(float(start), float(end))]))
        assert row["der"] == pytest.approx(per_recording, abs=1e-9)
    board = diarized.result["leaderboard"][0]
    print(f"\nadapt-diarizer DER {board['der']:.4f} {board['der_ci']} on {sorted(rows)}")  # visible with -s
    assert board["model_id"] == "adapt-diarizer" and board["kind"] == "diarizer"
    assert board["der"] == pytest.approx(abs(metric), abs=1e-9)
    assert board["der_ci"]["low"] <= board["der"] <= board["der_ci"]["high"]
    assert diarized.result["winner"] == "adapt-diarizer"  # the only candidate, no gates
