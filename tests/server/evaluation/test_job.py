"""The evaluation job on real data in-process (real SQLite, real engines): whisper-tiny.en and pocketsphinx-en-us
on three realspeech utterances. WER is checked against an independent jiwer computation, RTF against the
Transcribe code path's own timer."""
from __future__ import annotations

import math

import jiwer
import pytest

from adapt_server.deploy.validation import latest_validation
from adapt_server.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from adapt_server.speech import service as speech
from server.evaluation.conftest import REALSPEECH_ASR_ITEMS, write_realspeech_asr_folder

pytestmark = [pytest.mark.slow, pytest.mark.realspeech]
CANDIDATES = ["whisper-tiny.en", "pocketsphinx-en-us"]


@pytest.fixture(scope="module")
def asr_dataset(local_adapt, realspeech):
    folder = local_adapt.config.source_roots[0] / "realspeech-asr"
    manifest = write_realspeech_asr_folder(realspeech, folder)
    return local_adapt.ingest("realspeech-asr", folder), manifest


@pytest.fixture(scope="module")
def transcribe_calls():
    """Every TimedTranscription `speech.service.transcribe` returned while the module's evaluation ran."""
    calls = []
    original = speech.transcribe

    def spy(engine, model_id, load_audio, options):
        timed = original(engine, model_id, load_audio, options)
        calls.append(timed)
        return timed

    speech.transcribe = spy
    yield calls
    speech.transcribe = original


@pytest.fixture(scope="module")
def evaluated(local_adapt, asr_dataset, transcribe_calls):
    dataset_id, _ = asr_dataset
    record = local_adapt.evaluate(dataset_id, CANDIDATES, metrics=["wer", "cer", "realtime_factor"],
                                  split="holdout", gates={"max_rtf": 50.0}, request_id="eval-realspeech")
    assert record.job.state == "SUCCEEDED", record.job
    return record


def _rows(local_adapt, record, model_id):
    rows, token = local_adapt.evaluations.utterance_results(record.id, model_id, False, 100, "")
    assert token == ""
    return rows


def test_leaderboard_holds_both_families_with_intervals(evaluated):
    board = {row["model_id"]: row for row in evaluated.result["leaderboard"]}
    assert set(board) == set(CANDIDATES)
    for row in board.values():
        assert row["utterances"] == len(REALSPEECH_ASR_ITEMS)
        assert row["wer_ci"]["low"] <= row["wer"] <= row["wer_ci"]["high"]
        assert row["rtf"] > 0
    assert board["whisper-tiny.en"]["wer"] < board["pocketsphinx-en-us"]["wer"]  # tiny.en is the better model
    assert evaluated.result["leaderboard"][0]["model_id"] == "whisper-tiny.en"


def test_tiny_en_wer_equals_an_independent_jiwer_computation(local_adapt, evaluated):
    from whisper_normalizer.english import EnglishTextNormalizer  # the package's own port, not scoring/text.py

    normalize = EnglishTextNormalizer()
    rows = _rows(local_adapt, evaluated, "whisper-tiny.en")
    references = [" ".join(normalize(r.reference).split()) for r in rows]
    hypotheses = [" ".join(normalize(r.hypothesis).split()) for r in rows]
    expected = jiwer.wer(references, hypotheses)
    board = {row["model_id"]: row for row in evaluated.result["leaderboard"]}
    assert board["whisper-tiny.en"]["wer"] == pytest.approx(expected, abs=1e-12)
    sphinx = _rows(local_adapt, evaluated, "pocketsphinx-en-us")
    assert board["pocketsphinx-en-us"]["wer"] == pytest.approx(
        jiwer.wer([" ".join(normalize(r.reference).split()) for r in sphinx],
                  [" ".join(normalize(r.hypothesis).split()) for r in sphinx]), abs=1e-12)


def test_rtf_comes_from_the_transcribe_code_path(local_adapt, evaluated, transcribe_calls):
    rows = _rows(local_adapt, evaluated, "")
    assert len(transcribe_calls) == len(rows) == len(CANDIDATES) * len(REALSPEECH_ASR_ITEMS)
    timed_by_text = {(t.model_id, t.transcription.text): t for t in transcribe_calls}
    for row in rows:
        timed = timed_by_text[(row.model_id, row.hypothesis)]
        assert row.processing_s == timed.processing_s and row.audio_s == timed.duration_s
    for entry in evaluated.result["leaderboard"]:
        mine = [r for r in rows if r.model_id == entry["model_id"]]
        assert entry["rtf"] == pytest.approx(sum(r.processing_s for r in mine) / sum(r.audio_s for r in mine))


def test_per_utterance_alignment_counts_match(local_adapt, evaluated):
    for row in _rows(local_adapt, evaluated, ""):
        ops = [op for op, _, _ in row.score["alignment"]]
        assert ops.count("substitute") == row.score["substitutions"]
        assert ops.count("delete") == row.score["deletions"]
        assert ops.count("insert") == row.score["insertions"]
        assert ops.count("equal") + row.score["substitutions"] + row.score["deletions"] == row.score["reference_words"]
    errors, _ = local_adapt.evaluations.utterance_results(evaluated.id, "", True, 100, "")
    assert all(r.score["errors"] > 0 for r in errors)


def test_paging_of_utterance_results(local_adapt, evaluated):
    seen, token = [], ""
    while True:
        page, token = local_adapt.evaluations.utterance_results(evaluated.id, "", False, 2, token)
        seen += [(r.model_id, r.utterance_id) for r in page]
        if not token:
            break
    assert len(seen) == len(set(seen)) == len(CANDIDATES) * len(REALSPEECH_ASR_ITEMS)


def test_slices_wrong_words_and_notes(evaluated):
    result = evaluated.result
    speakers = {s["key"] for s in result["slices"] if s["by"] == "speaker" and s["model_id"] == "whisper-tiny.en"}
    assert speakers == {""}  # .txt sidecars carry no speaker labels: one "unknown" slice
    recordings = [s for s in result["slices"] if s["by"] == "recording" and s["model_id"] == "pocketsphinx-en-us"]
    assert len(recordings) == len(REALSPEECH_ASR_ITEMS)
    assert sum(s["reference_words"] for s in recordings) == result["leaderboard"][0]["reference_words"]
    assert all(w["model_id"] in CANDIDATES and w["errors"] > 0 for w in result["wrong_words"])
    assert any("no train/holdout assignment" in note for note in result["notes"])


def test_three_utterances_are_a_tie_within_noise(evaluated):
    assert evaluated.result["winner"] == ""
    assert evaluated.result["reason"].startswith("tie within noise: whisper-tiny.en vs pocketsphinx-en-us")
    assert {g["model_id"] for g in evaluated.result["gate_results"]} == set(CANDIDATES)


def test_a_failed_gate_leaves_no_winner_and_says_why(local_adapt, asr_dataset, evaluated):
    dataset_id, _ = asr_dataset
    record = local_adapt.evaluate(dataset_id, ["whisper-tiny.en"], metrics=["wer", "rtf"], gates={"max_rtf": 1e-6})
    assert record.result["winner"] == ""
    assert record.result["reason"].startswith("gate failed: max_rtf 1e-06 < measured")
    summary = latest_validation(local_adapt.store, "whisper-tiny.en")
    assert summary.evaluation_id == record.id and not summary.passed and not summary.gates_passed
    assert summary.metrics["wer"] == record.result["leaderboard"][0]["wer"]
    assert latest_validation(local_adapt.store, "whisper-tiny.en", dataset_id="ds_other") is None
    assert latest_validation(local_adapt.store, "ft:nothing:here") is None


def test_a_second_evaluation_gives_the_same_hypotheses(local_adapt, asr_dataset, evaluated):
    """Reproducible even where the temperature fallback samples (tests/server/engines: fresh engines after
    the seed sample the same)."""
    dataset_id, _ = asr_dataset
    again = local_adapt.evaluate(dataset_id, ["whisper-tiny.en"], metrics=["wer"], split="holdout")
    first = {row.utterance_id: row.hypothesis for row in _rows(local_adapt, evaluated, "whisper-tiny.en")}
    assert {row.utterance_id: row.hypothesis for row in _rows(local_adapt, again, "whisper-tiny.en")} == first


def test_create_is_idempotent_by_request_id(local_adapt, asr_dataset, evaluated):
    dataset_id, _ = asr_dataset
    again = local_adapt.evaluations.create(dataset_id, CANDIDATES, metrics=["wer", "cer", "realtime_factor"],
                                           split="holdout", gates={"max_rtf": 50.0}, request_id="eval-realspeech")
    assert again.id == evaluated.id
    with pytest.raises(AlreadyExists, match="request_id 'eval-realspeech' was already used"):
        local_adapt.evaluations.create(dataset_id, CANDIDATES, metrics=["wer"], request_id="eval-realspeech")


def test_bad_requests_say_what_to_fix(local_adapt, asr_dataset):
    dataset_id, _ = asr_dataset
    service = local_adapt.evaluations
    with pytest.raises(NotFound, match="candidate model 'whisper-huge' does not exist"):
        service.create(dataset_id, ["whisper-huge"])
    with pytest.raises(NotFound, match="dataset 'ds_missing' does not exist"):
        service.create("ds_missing", ["whisper-tiny.en"])
    with pytest.raises(InvalidArgument, match="unknown metric 'bleu'"):
        service.create(dataset_id, ["whisper-tiny.en"], metrics=["bleu"])
    with pytest.raises(InvalidArgument, match="split 'test' is not one of"):
        service.create(dataset_id, ["whisper-tiny.en"], split="test")
    with pytest.raises(NotFound, match="evaluation 'eval_nope' does not exist"):
        service.get("eval_nope")
    running = service.create(dataset_id, ["whisper-tiny.en"])
    with pytest.raises(FailedPrecondition, match="cancel it first"):
        service.delete(running.id)
    assert service.cancel(running.id).job.state == "CANCELLED"
    service.delete(running.id)
    with pytest.raises(NotFound):
        service.get(running.id)


def test_nan_survives_storage(evaluated):
    row = evaluated.result["leaderboard"][0]
    assert math.isnan(float(row["nonspeech_words_per_hour"]))  # no non-speech measured: NaN, not 0


def test_the_forgetting_gate_runs_candidates_and_baseline_on_the_reference_dataset(local_adapt, asr_dataset):
    dataset_id, _ = asr_dataset
    record = local_adapt.evaluate(dataset_id, ["whisper-tiny.en"], metrics=["wer"], gates={
        "max_reference_regression": 0.05, "reference_dataset_id": dataset_id,
        "reference_baseline": "pocketsphinx-en-us"})
    reference = {row["model_id"]: row for row in record.result["reference_leaderboard"]}
    assert set(reference) == {"whisper-tiny.en", "pocketsphinx-en-us"}
    [gate] = record.result["gate_results"]
    expected = (reference["whisper-tiny.en"]["wer"] - reference["pocketsphinx-en-us"]["wer"]) / \
        reference["pocketsphinx-en-us"]["wer"]
    assert gate["gate"] == "max_reference_regression" and gate["passed"]
    assert gate["measured"] == pytest.approx(expected) and gate["measured"] < 0  # tiny.en is better than the baseline
    assert record.result["winner"] == "whisper-tiny.en"
    assert "passes every gate (max_reference_regression 0.05 >= measured" in record.result["reason"]


def test_a_resumed_job_keeps_the_candidates_already_committed(local_adapt, asr_dataset):
    """A crash after pocketsphinx's hypotheses were committed: the rerun transcribes only whisper-tiny.en."""
    from adapt_server.store.evaluations import PRIMARY, HypothesisRow

    dataset_id, manifest = asr_dataset
    record = local_adapt.evaluations.create(dataset_id, CANDIDATES, metrics=["wer"])
    repository = local_adapt.store.evaluations
    units = {r.id: r for r in local_adapt.store.datasets.recordings(dataset_id)}
    committed = [HypothesisRow("pocketsphinx-en-us", f"{recording_id}-all", recording_id, "", "", None, None,
                               "reference", "what the first run heard", 1.0, 0.5) for recording_id in units]
    repository.add_hypotheses(record.id, PRIMARY, committed)
    local_adapt.run_jobs()
    done = local_adapt.evaluations.get(record.id)
    assert done.job.state == "SUCCEEDED"
    sphinx = _rows(local_adapt, done, "pocketsphinx-en-us")
    assert {r.hypothesis for r in sphinx} == {"what the first run heard"}
    assert {r.model_id for r in _rows(local_adapt, done, "")} == set(CANDIDATES)


def test_a_resumed_job_skips_the_shards_already_committed(local_adapt, asr_dataset, monkeypatch):
    """Shards of ~one utterance each (ADAPT_EVAL_SHARD_AUDIO_S): a crash after the first shard of whisper-tiny.en
    was committed; the rerun keeps that shard's rows and transcribes the other utterances only."""
    from adapt_server.evaluation import job
    from adapt_server.store.evaluations import PRIMARY

    monkeypatch.setenv(job.SHARD_AUDIO_ENV, "0.5")  # below any utterance: one utterance per shard
    dataset_id, _ = asr_dataset
    record = local_adapt.evaluations.create(dataset_id, ["whisper-tiny.en"], metrics=["wer"])
    repository = local_adapt.store.evaluations
    selection = job._selection(local_adapt.store, dataset_id, "all")
    spec = job.EvaluationSpec.from_dict(record.spec)
    shards = job._shards(local_adapt.store, spec, PRIMARY, "whisper-tiny.en", selection)
    assert len(shards) == len(selection.units) == 3
    first = shards[0].units[0]
    repository.add_hypotheses(record.id, PRIMARY, [speech_row(first, "what the first run heard")])
    local_adapt.run_jobs()
    done = local_adapt.evaluations.get(record.id)
    assert done.job.state == "SUCCEEDED"
    rows = {r.utterance_id: r.hypothesis for r in _rows(local_adapt, done, "whisper-tiny.en")}
    assert rows[first.utterance_id] == "what the first run heard"
    assert len(rows) == 3 and all(text != "what the first run heard" for uid, text in rows.items()
                                  if uid != first.utterance_id)
    events = [e.message for e in local_adapt.store.jobs.events(done.job.id)]
    assert "2 shards to run on the local executor (1 of 3 units committed before)" in events


def speech_row(unit, text: str):
    from adapt_server.store.evaluations import HypothesisRow
    return HypothesisRow("whisper-tiny.en", unit.utterance_id, unit.recording_id, unit.speaker, unit.source,
                         unit.start_s, unit.end_s, unit.reference, text, 1.0, 0.5)
