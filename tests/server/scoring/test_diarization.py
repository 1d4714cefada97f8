"""DER: hand-checked components, and agreement with pyannote.metrics run directly on ../shared/realspeech/diar."""
from __future__ import annotations

import json
import warnings

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.transcripts import parse_rttm
from adapt_server.scoring import score_diarization
from adapt_server.spans import SpeakerTurn

REFERENCE = {"call": [SpeakerTurn(0.0, 10.0, "A"), SpeakerTurn(10.0, 20.0, "B")]}
HYPOTHESIS = {"call": [(0.0, 12.0, "x"), (12.0, 18.0, "y"), (20.0, 21.0, "x")]}


def test_hand_checked_components():
    """x maps to A, y to B: 10-12 s confusion, 18-20 s missed, 20-21 s false alarm, over 20 s of speech."""
    result = score_diarization(REFERENCE, HYPOTHESIS, uem={"call": [(0.0, 22.0)]})
    call, = result.recordings
    assert (call.recording_id, call.reference_s) == ("call", pytest.approx(20.0))
    assert (call.confusion_s, call.missed_s, call.false_alarm_s) == (pytest.approx(2.0), pytest.approx(2.0),
                                                                      pytest.approx(1.0))
    assert result.der == call.der == pytest.approx(5.0 / 20.0)
    assert (result.collar_s, result.skip_overlap) == (0.0, False)


def test_a_collar_is_its_total_width_centred_on_reference_boundaries():
    """collar 1 s removes +-0.5 s around 0, 10 and 20 s: 18 s of speech left, 1.5 + 1.5 + 0.5 s of errors."""
    call, = score_diarization(REFERENCE, HYPOTHESIS, uem={"call": [(0.0, 22.0)]}, collar_s=1.0).recordings
    assert call.reference_s == pytest.approx(18.0)
    assert (call.confusion_s, call.missed_s, call.false_alarm_s) == (pytest.approx(1.5), pytest.approx(1.5),
                                                                      pytest.approx(0.5))


def test_overlap_is_scored_unless_skipped():
    reference = {"r": [(0.0, 10.0, "A"), (5.0, 15.0, "B")]}  # 5-10 s: both talk
    hypothesis = {"r": [(0.0, 15.0, "x")]}
    scored = score_diarization(reference, hypothesis, uem={"r": [(0.0, 15.0)]}).recordings[0]
    assert (scored.reference_s, scored.missed_s, scored.confusion_s) == (20.0, 5.0, 5.0)
    skipped = score_diarization(reference, hypothesis, uem={"r": [(0.0, 15.0)]}, skip_overlap=True).recordings[0]
    assert (skipped.reference_s, skipped.missed_s, skipped.confusion_s) == (10.0, 0.0, 5.0)


def test_the_total_sums_components_over_recordings():
    reference = {**REFERENCE, "quiet": [(0.0, 40.0, "C")]}
    result = score_diarization(reference, HYPOTHESIS)  # "quiet" has no hypothesis: all of it is missed
    quiet = result.recordings[1]
    assert (quiet.recording_id, quiet.missed_s, quiet.der) == ("quiet", 40.0, 1.0)
    assert result.reference_s == pytest.approx(60.0)
    assert result.der == pytest.approx((result.recordings[0].errors_s + 40.0) / 60.0)
    assert result.der != pytest.approx((result.recordings[0].der + 1.0) / 2)  # not a mean of recording DERs


def test_bad_input_says_what_to_fix():
    with pytest.raises(InvalidArgument, match="without reference turns: \\['other'\\]"):
        score_diarization(REFERENCE, {**HYPOTHESIS, "other": [(0.0, 1.0, "x")]})
    with pytest.raises(InvalidArgument, match="turn 0"):
        score_diarization({"r": [(5.0, 1.0, "A")]}, {})
    with pytest.raises(InvalidArgument, match="collar_s"):
        score_diarization(REFERENCE, HYPOTHESIS, collar_s=-1.0)
    empty = score_diarization({"r": []}, {})
    assert empty.recordings[0].reference_s == 0.0


def perturbed(turns: tuple[SpeakerTurn, ...]) -> list[SpeakerTurn]:
    """A plausible diarizer's output: turns 0.3 s late, labels renamed, every 5th turn dropped, every 3rd
    given to the next speaker (confusion)."""
    speakers = sorted({turn.speaker for turn in turns})
    hypothesis = []
    for index, turn in enumerate(turns):
        if index % 5 == 4:
            continue
        speaker = speakers.index(turn.speaker)
        if index % 3 == 2:
            speaker = (speaker + 1) % (len(speakers) + 1)
        hypothesis.append(SpeakerTurn(turn.start + 0.3, turn.end + 0.3, f"cluster{speaker}"))
    return hypothesis


@pytest.mark.realspeech
@pytest.mark.parametrize(("collar_s", "skip_overlap"), [(0.0, False), (0.25, False), (0.5, True)])
def test_der_agrees_with_pyannote_metrics_run_directly(realspeech, collar_s, skip_overlap):
    pytest.importorskip("pyannote.database")
    from pyannote.core import Annotation, Segment
    from pyannote.database.util import load_rttm, load_uem
    from pyannote.metrics.diarization import DiarizationErrorRate

    folder = realspeech / "diar"
    if not (folder / "manifest.jsonl").is_file():
        pytest.skip("../shared/realspeech/diar is absent")
    items = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    reference, hypothesis, uem = {}, {}, {}
    direct = DiarizationErrorRate(collar=collar_s, skip_overlap=skip_overlap)
    expected = {}
    for item in items:
        recording = item["id"]
        reference[recording] = parse_rttm(realspeech / item["rttm"], file_id=recording)
        hypothesis[recording] = perturbed(reference[recording])
        uem[recording] = [(start, end) for start, end in load_uem(realspeech / item["uem"])[recording]]
        # pyannote on its own: its RTTM and UEM readers, an Annotation built here
        hypothesis_annotation = Annotation(uri=recording)
        for index, turn in enumerate(hypothesis[recording]):
            hypothesis_annotation[Segment(turn.start, turn.end), index] = turn.speaker
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected[recording] = direct(load_rttm(realspeech / item["rttm"])[recording], hypothesis_annotation,
                                         uem=load_uem(realspeech / item["uem"])[recording], detailed=True)
    result = score_diarization(reference, hypothesis, uem=uem, collar_s=collar_s, skip_overlap=skip_overlap)
    assert [recording.recording_id for recording in result.recordings] == sorted(expected)
    for recording in result.recordings:
        components = expected[recording.recording_id]
        assert recording.reference_s == pytest.approx(components["total"], abs=1e-9)
        assert recording.missed_s == pytest.approx(components["missed detection"], abs=1e-9)
        assert recording.false_alarm_s == pytest.approx(components["false alarm"], abs=1e-9)
        assert recording.confusion_s == pytest.approx(components["confusion"], abs=1e-9)
    assert result.der == pytest.approx(abs(direct), abs=1e-12)
    assert 0.1 < result.der < 1.0  # the perturbation is visible
    assert score_diarization(reference, reference, uem=uem, collar_s=collar_s, skip_overlap=skip_overlap).der == 0.0
