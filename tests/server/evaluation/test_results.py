"""The stored result dicts: leaderboard rows of ASR and diarizer candidates, slices with intervals, wrong words,
and the winner decision, with the field names of adapt.v1.EvaluationResult."""
from __future__ import annotations

import math

import pytest
from google.protobuf import json_format

from adapt.v1 import evaluations_pb2
from adapt_server.evaluation import results
from adapt_server.scoring import CandidateResult, build_leaderboard, choose_winner, score_diarization
from adapt_server.store.evaluations import _dumps


@pytest.fixture(scope="module")
def diarizer() -> CandidateResult:
    reference = {"r1": [(0.0, 5.0, "A"), (5.0, 10.0, "B")], "r2": [(0.0, 4.0, "A")]}
    hypothesis = {"r1": [(0.0, 6.0, "x"), (6.0, 10.0, "y")], "r2": [(0.0, 4.0, "x")]}
    return CandidateResult("adapt-diarizer", (), diarization=score_diarization(reference, hypothesis))


def test_a_diarizer_without_utterances_gets_a_row_with_der_only(make_candidate, diarizer):
    asr = make_candidate("asr", 0.1, seed=1)
    rows = {row.model_id: row for row in build_leaderboard([asr, diarizer])}
    row = results.leaderboard_row(rows["adapt-diarizer"], diarizer, "diarizer")
    assert row["der"] == pytest.approx(1.0 / 14.0) and row["confusion_s"] == pytest.approx(1.0)
    assert math.isnan(row["wer"]) and row["utterances"] == 0
    assert "der" not in results.leaderboard_row(rows["asr"], asr, "asr")


def test_the_result_dict_converts_to_the_proto_losslessly(make_candidate, diarizer):
    a, b = make_candidate("a", 0.05, seed=1), make_candidate("b", 0.3, seed=2)
    rows = build_leaderboard([a, b])
    decision = choose_winner([a, b])
    result = {"leaderboard": [results.leaderboard_row(r, {"a": a, "b": b}[r.model_id], "asr") for r in rows],
              "primary_metric": "wer", **results.decision_fields(decision),
              "slices": results.slices(a, n_resamples=200), "wrong_words": results.wrong_words(a),
              "diarization": results.diarization_rows("adapt-diarizer", diarizer.diarization, {}, {}), "notes": []}
    import json
    message = json_format.ParseDict(json.loads(_dumps(result)), evaluations_pb2.EvaluationResult())
    assert message.winner == "a" and message.leaderboard[0].model_id == "a"
    assert message.leaderboard[0].wer == pytest.approx(rows[0].wer)
    assert math.isnan(message.leaderboard[0].nonspeech_words_per_hour)
    assert not message.leaderboard[0].HasField("der")
    assert message.comparisons[0].other == "b" and message.comparisons[0].ci.high < 0
    speakers = [s for s in message.slices if s.by == "speaker"]
    assert sum(s.utterances for s in speakers) == rows[0].n_utterances
    assert all(s.wer_ci.low <= s.wer <= s.wer_ci.high for s in speakers)
    assert message.wrong_words[0].top_hypothesis == "wrong"
    assert [d.recording_id for d in message.diarization] == ["r1", "r2"]


def test_no_rankable_candidate_has_a_reason():
    fields = results.decision_fields(None)
    assert fields["winner"] == "" and "no candidate" in fields["reason"]
