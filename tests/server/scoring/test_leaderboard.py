"""The leaderboard and the winner rule: a clear win, a tie within noise, gate failures."""
from __future__ import annotations

import dataclasses
import math

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.scoring import (CandidateResult, Gates, build_leaderboard, check_gates, choose_winner,
                                  score_diarization)


def test_leaderboard_rows_carry_intervals_and_are_sorted(make_candidate):
    good, bad = make_candidate("good", 0.05, seed=1, rtf=0.2), make_candidate("bad", 0.3, seed=2, rtf=0.05)
    rows = build_leaderboard([bad, good])
    assert [row.model_id for row in rows] == ["good", "bad"]
    for row, result in zip(rows, (good, bad)):
        assert (row.n_utterances, row.n_recordings, row.bootstrap_unit) == (60, 30, "recording")
        assert row.wer == result.counts.wer and row.wer_ci.contains(row.wer) and row.wer_ci.width > 0
        assert row.cer_ci.contains(row.cer)
        assert row.rtf == pytest.approx(result.processing_s / result.audio_s)
        assert row.rtf_ci.contains(row.rtf)
        assert row.hallucination_rate == 0.0 and math.isnan(row.nonspeech_words_per_hour)
        assert row.der is None and row.der_ci is None
        assert row.substitutions + row.deletions + row.insertions == pytest.approx(row.wer * row.ref_words)
    assert [row.model_id for row in build_leaderboard([bad, good], primary="rtf")] == ["bad", "good"]
    assert build_leaderboard([good], unit="utterance")[0].bootstrap_unit == "utterance"


def test_a_clear_win(make_candidate):
    results = [make_candidate("base", 0.3, seed=2), make_candidate("tuned", 0.05, seed=1)]
    decision = choose_winner(results, gates=Gates(max_rtf=0.5, max_hallucination_rate=0.0))
    assert decision.winner == decision.leader == "tuned"
    assert "better than every other candidate with 95% confidence" in decision.reason
    assert "max_rtf 0.5 >= measured 0.1" in decision.reason
    comparison, = decision.comparisons
    assert (comparison.leader, comparison.other, comparison.metric) == ("tuned", "base", "wer")
    assert comparison.difference.ci.high < 0 and comparison.difference.probability_a_better == 1.0
    assert all(gates.passed for gates in decision.gates)


def test_a_tie_within_noise_has_no_winner(make_candidate):
    results = [make_candidate("a", 0.15, seed=1), make_candidate("b", 0.15, seed=2)]
    decision = choose_winner(results)
    assert decision.winner is None
    assert decision.leader in ("a", "b")
    assert decision.reason.startswith(f"tie within noise: {decision.leader} vs ")
    assert "WER difference" in decision.reason and "includes 0" in decision.reason
    difference = decision.comparisons[0].difference
    assert difference.ci.low < 0 < difference.ci.high
    assert f"[{difference.ci.low:+.4f}, {difference.ci.high:+.4f}]" in decision.reason
    assert 0.5 <= difference.probability_a_better < 0.975


def test_the_leader_must_beat_every_other_candidate(make_candidate):
    results = [make_candidate("a", 0.1, seed=1), make_candidate("b", 0.1, seed=3), make_candidate("c", 0.4, seed=2)]
    decision = choose_winner(results)
    assert decision.winner is None and len(decision.comparisons) == 2
    beaten = {c.other: c.difference.a_better for c in decision.comparisons}
    assert beaten["c"] and not beaten[({"a", "b"} - {decision.leader}).pop()]


def test_a_gate_failure_has_no_winner_and_names_the_gate(make_candidate):
    results = [make_candidate("base", 0.3, seed=2, rtf=0.1), make_candidate("tuned", 0.05, seed=1, rtf=0.62)]
    decision = choose_winner(results, gates=Gates(max_rtf=0.5))
    assert decision.winner is None and decision.leader == "tuned"
    assert decision.reason == "gate failed: max_rtf 0.5 < measured 0.62"
    tuned_gates = next(gates for gates in decision.gates if gates.model_id == "tuned")
    failure, = tuned_gates.failures
    assert (failure.gate, failure.limit, failure.measured) == ("max_rtf", 0.5, pytest.approx(0.62))
    assert next(gates for gates in decision.gates if gates.model_id == "base").passed


def test_the_hallucination_gate(make_candidate):
    tuned = make_candidate("tuned", 0.05, seed=1)
    looping = dataclasses.replace(tuned.scores[0], repetition_loop=True)  # one utterance of 60 loops
    tuned = CandidateResult("tuned", (looping, *tuned.scores[1:]))
    decision = choose_winner([make_candidate("base", 0.3, seed=2), tuned], gates=Gates(max_hallucination_rate=0.01))
    assert decision.winner is None
    assert decision.reason == f"gate failed: max_hallucination_rate 0.01 < measured {1 / 60:.4g}"


def test_the_reference_regression_gate_catches_forgetting(make_candidate):
    results = [make_candidate("base", 0.3, seed=2), make_candidate("tuned", 0.05, seed=1)]
    gates = Gates(max_reference_regression=0.05, reference_baseline="base")
    forgot = {"base": make_candidate("base", 0.10, seed=5, n_recordings=12),
              "tuned": make_candidate("tuned", 0.20, seed=6, n_recordings=12)}
    decision = choose_winner(results, gates=gates, reference_results=forgot)
    regression = forgot["tuned"].value("wer") / forgot["base"].value("wer") - 1
    assert decision.winner is None
    assert decision.reason.startswith(f"gate failed: max_reference_regression 0.05 < measured {regression:.4g} "
                                      "(reference wer ")
    assert "vs baseline base" in decision.reason
    kept = {"base": forgot["base"], "tuned": make_candidate("tuned", 0.10, seed=5, n_recordings=12)}
    assert choose_winner(results, gates=gates, reference_results=kept).winner == "tuned"  # regression 0
    missing = choose_winner(results, gates=gates, reference_results={"base": forgot["base"]})
    assert missing.winner is None and "no reference-dataset result for 'tuned'" in missing.reason


def test_a_single_candidate_wins_when_it_passes_the_gates(make_candidate):
    only = make_candidate("only", 0.2, seed=1)
    assert choose_winner([only]).winner == "only"
    assert "the only candidate" in choose_winner([only]).reason
    assert choose_winner([only], gates=Gates(max_rtf=0.01)).winner is None


def test_der_as_the_primary_metric(make_candidate):
    reference = {f"rec{i:03d}": [(0.0, 10.0, "A"), (10.0, 20.0, "B")] for i in range(30)}
    sloppy = {recording: [(0.0, 14.0, "x"), (14.0, 20.0, "y")] for recording in reference}
    precise = {recording: [(0.0, 10.5, "x"), (10.5, 20.0, "y")] for recording in reference}
    uem = {recording: [(0.0, 20.0)] for recording in reference}
    results = [dataclasses.replace(make_candidate("sloppy", 0.1, seed=1), diarization=score_diarization(reference, sloppy, uem=uem)),
               dataclasses.replace(make_candidate("precise", 0.1, seed=2), diarization=score_diarization(reference, precise, uem=uem))]
    rows = build_leaderboard(results, primary="der")
    assert [(row.model_id, row.der) for row in rows] == [("precise", pytest.approx(0.025)), ("sloppy", pytest.approx(0.2))]
    assert rows[0].der_ci.contains(0.025)
    assert choose_winner(results, primary="der").winner == "precise"
    with pytest.raises(InvalidArgument, match="primary metric 'der' is missing for \\['plain'\\]"):
        choose_winner([*results, make_candidate("plain", 0.1, seed=3)], primary="der")


def test_bad_input_says_what_to_fix(make_candidate):
    a, b = make_candidate("a", 0.1, seed=1), make_candidate("b", 0.1, seed=2, n_recordings=29)
    with pytest.raises(InvalidArgument, match="different recordings \\(only in 'a': \\['rec029'\\]"):
        choose_winner([a, b])
    with pytest.raises(InvalidArgument, match="unknown metric 'bleu'"):
        choose_winner([a], primary="bleu")
    with pytest.raises(InvalidArgument, match="distinct"):
        choose_winner([a, a])
    with pytest.raises(InvalidArgument, match="reference_baseline"):
        Gates(max_reference_regression=0.05)
    with pytest.raises(InvalidArgument, match="max_rtf"):
        Gates(max_rtf=-1)
    with pytest.raises(InvalidArgument, match="repeated"):
        CandidateResult("dup", a.scores[:1] * 2)
    no_audio = CandidateResult("silent", tuple(dataclasses.replace(s, audio_s=0.0) for s in a.scores))
    failure, = check_gates(no_audio, Gates(max_rtf=1.0)).failures
    assert failure.detail == "could not be measured"


def test_the_forgetting_gate_detail_states_the_general_speech_regression_and_the_budget():
    from adapt_server.scoring.gates import Gates, check_gates
    from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
    from adapt_server.scoring.candidate import CandidateResult
    from adapt_server.scoring.text import Normalizer

    def result(model_id, hypothesis):
        utterance = TranscribedUtterance("u1", "one two three four five six seven eight nine ten", hypothesis,
                                         audio_s=1.0, processing_s=0.1)
        return CandidateResult(model_id, score_utterances([utterance], Normalizer("basic")))
    reference = {"base": result("base", "one two three four five six seven eight nine tan"),
                 "tuned": result("tuned", "one two three four five six seven eight nan tan")}
    gate = check_gates(reference["tuned"], Gates(max_reference_regression=0.05, reference_baseline="base"),
                       reference).results[0]
    assert not gate.passed and gate.measured == pytest.approx(1.0)
    assert "general-speech WER regression +100.0% relative exceeds the forgetting budget 5%" in gate.detail
