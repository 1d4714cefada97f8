"""The leaderboard (every number with a bootstrap 95% interval) and the winner rule.

**The winner rule.** Every metric is lower-is-better. Given the candidates' results on the same utterances,
a primary metric (WER by default) and the configured gates:

1. The *leader* is the candidate with the lowest point estimate of the primary metric (ties broken by model
   id; a candidate whose primary metric cannot be computed, e.g. no reference words, cannot lead).
2. The leader is compared with **every** other candidate by a paired bootstrap of
   metric(leader) - metric(other) over the same units (utterances or recordings, see `bootstrap.py`). It is
   better with statistical confidence when the whole 95% interval of the difference lies below 0. If any
   interval includes 0 there is no winner: "tie within noise: A vs B: WER difference -0.004, 95% CI
   [-0.012, 0.003] includes 0". (Requiring every pairwise test to pass at 95% keeps the overall error rate at
   5%: it is an intersection-union test, which needs no multiple-comparison correction.)
3. The leader must pass every configured gate (`gates.py`: max RTF, max hallucination rate, max relative
   regression on a reference dataset against a baseline model). Otherwise there is no winner: "gate failed:
   max_rtf 0.5 < measured 0.62". A gate failure is not passed on to the runner-up: a winner must be both the
   most accurate with confidence and acceptable.
4. With a single candidate, step 2 holds trivially: it wins when it passes the gates.

`winner` is the leader's model id when steps 2 and 3 hold, else None; `reason` always says why, and the
decision carries every candidate's gate results and the leader's pairwise comparisons.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.bootstrap import (DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED, ConfidenceInterval,
                                            PairedDifference, bootstrap_ratio, paired_bootstrap_ratio, resolve_unit)
from adapt_server.scoring.candidate import (CER, DER, HALLUCINATION_RATE, RTF, WER, CandidateResult,
                                            check_metric)
from adapt_server.scoring.gates import CandidateGates, Gates, check_gates

METRIC_LABELS = {WER: "WER", CER: "CER", DER: "DER", RTF: "RTF", HALLUCINATION_RATE: "hallucination rate"}


@dataclass(frozen=True)
class LeaderboardRow:
    """One candidate's numbers; each `*_ci` is the bootstrap interval of the number before it."""

    model_id: str
    n_utterances: int
    n_recordings: int
    wer: float  # corpus WER, (S + D + I) / N
    wer_ci: ConfidenceInterval
    cer: float  # corpus CER
    cer_ci: ConfidenceInterval
    rtf: float  # processing seconds / audio seconds
    rtf_ci: ConfidenceInterval
    der: float | None  # corpus DER; None when the candidate's speaker turns were not scored
    der_ci: ConfidenceInterval | None
    hallucination_rate: float  # fraction of utterances with a word on non-speech or a repetition loop
    hallucination_rate_ci: ConfidenceInterval
    nonspeech_words_per_hour: float  # words emitted per hour of non-speech; nan when none was measured
    repetition_loops: int  # utterances whose hypothesis loops
    ref_words: int  # N
    substitutions: int  # S
    deletions: int  # D
    insertions: int  # I
    bootstrap_unit: str  # "utterance" or "recording": what the intervals resampled (DER: always recordings)


@dataclass(frozen=True)
class PairwiseComparison:
    """The leader against one other candidate on the primary metric."""

    leader: str
    other: str
    metric: str
    difference: PairedDifference  # metric(leader) - metric(other): negative favours the leader


@dataclass(frozen=True)
class WinnerDecision:
    """The outcome of the winner rule (see the module docstring)."""

    winner: str | None  # the winning model id, or None
    reason: str  # why it won, or why there is no winner
    primary: str  # the primary metric
    leader: str | None  # the candidate with the best point estimate (None when nothing was measurable)
    gates: tuple[CandidateGates, ...]  # every candidate's gate results, in leaderboard order
    comparisons: tuple[PairwiseComparison, ...]  # the leader against each other candidate


def build_leaderboard(results: Sequence[CandidateResult], *, primary: str = WER, unit: str = "auto",
                      n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                      level: float = DEFAULT_LEVEL) -> tuple[LeaderboardRow, ...]:
    """One row per candidate, best `primary` first (unmeasurable last, then by model id)."""
    check_metric(primary)
    resolved = _resolve_unit(results, unit)
    rows = []
    for result in results:
        def interval(metric: str, result: CandidateResult = result) -> ConfidenceInterval:
            _, numerators, denominators = result.unit_ratios(metric, resolved)
            return bootstrap_ratio(numerators, denominators, n_resamples=n_resamples, seed=seed, level=level)

        counts, hallucinations = result.counts, result.hallucinations
        has_der = result.has_metric(DER)
        rows.append(LeaderboardRow(
            model_id=result.model_id, n_utterances=counts.utterances,
            n_recordings=len({score.recording_id for score in result.scores}),
            wer=counts.wer, wer_ci=interval(WER), cer=counts.cer, cer_ci=interval(CER),
            rtf=counts.rtf, rtf_ci=interval(RTF),
            der=result.diarization.der if has_der else None, der_ci=interval(DER) if has_der else None,
            hallucination_rate=hallucinations.rate, hallucination_rate_ci=interval(HALLUCINATION_RATE),
            nonspeech_words_per_hour=hallucinations.nonspeech_words_per_hour,
            repetition_loops=hallucinations.repetition_loops, ref_words=counts.ref_words,
            substitutions=counts.substitutions, deletions=counts.deletions, insertions=counts.insertions,
            bootstrap_unit=resolved))
    return tuple(sorted(rows, key=lambda row: _rank_key(getattr(row, primary), row.model_id)))


def choose_winner(results: Sequence[CandidateResult], primary: str = WER, gates: Gates = Gates(), *,
                  reference_results: Mapping[str, CandidateResult] | None = None, unit: str = "auto",
                  n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                  level: float = DEFAULT_LEVEL) -> WinnerDecision:
    """Apply the winner rule (module docstring). `reference_results` maps model id -> its result on the
    reference dataset, for the max_reference_regression gate."""
    check_metric(primary)
    if not results:
        raise InvalidArgument("choose_winner needs at least one candidate result")
    if len({result.model_id for result in results}) != len(results):
        raise InvalidArgument(f"candidate model ids must be distinct: {[result.model_id for result in results]}")
    missing = [result.model_id for result in results if not result.has_metric(primary)]
    if missing:
        raise InvalidArgument(f"primary metric {primary!r} is missing for {missing}: score their speaker turns "
                              "or choose another primary metric")
    ranked = sorted(results, key=lambda result: _rank_key(result.value(primary), result.model_id))
    gate_results = tuple(check_gates(result, gates, reference_results) for result in ranked)
    leader = ranked[0]
    label = METRIC_LABELS[primary]
    if math.isnan(leader.value(primary)):
        return WinnerDecision(None, f"no candidate has a measurable {label}", primary, None, gate_results, ())
    resolved = _resolve_unit(results, unit)
    comparisons = tuple(
        PairwiseComparison(leader.model_id, other.model_id, primary,
                           _paired(leader, other, primary, resolved, n_resamples=n_resamples, seed=seed, level=level))
        for other in ranked[1:])
    problems = [_tie_reason(comparison, label) for comparison in comparisons if not comparison.difference.a_better]
    problems += [f"gate failed: {failure.describe()}" for failure in gate_results[0].failures]
    if problems:
        return WinnerDecision(None, "; ".join(problems), primary, leader.model_id, gate_results, comparisons)
    return WinnerDecision(leader.model_id, _win_reason(leader, primary, comparisons, gate_results[0], level),
                          primary, leader.model_id, gate_results, comparisons)


def _paired(a: CandidateResult, b: CandidateResult, metric: str, unit: str, **settings) -> PairedDifference:
    keys_a, numerators_a, denominators_a = a.unit_ratios(metric, unit)
    keys_b, numerators_b, denominators_b = b.unit_ratios(metric, unit)
    if len(keys_a) != len(keys_b) or (keys_a != keys_b).any():
        only_a, only_b = sorted(map(str, set(keys_a) - set(keys_b))), sorted(map(str, set(keys_b) - set(keys_a)))
        raise InvalidArgument(
            f"candidates {a.model_id!r} and {b.model_id!r} were scored on different {unit}s "
            f"(only in {a.model_id!r}: {only_a[:5]}; only in {b.model_id!r}: {only_b[:5]}); "
            "a paired comparison needs the same ones")
    return paired_bootstrap_ratio(numerators_a, denominators_a, numerators_b, denominators_b, **settings)


def _resolve_unit(results: Sequence[CandidateResult], unit: str) -> str:
    return resolve_unit(unit, [score.recording_id for result in results for score in result.scores])


def _rank_key(value: float | None, model_id: str) -> tuple[bool, float, str]:
    unmeasurable = value is None or math.isnan(value)
    return unmeasurable, 0.0 if unmeasurable else value, model_id


def _tie_reason(comparison: PairwiseComparison, label: str) -> str:
    difference = comparison.difference
    ci = difference.ci
    verdict = "includes 0" if ci.low <= 0 <= ci.high else "does not lie below 0"
    return (f"tie within noise: {comparison.leader} vs {comparison.other}: {label} difference "
            f"{difference.estimate:+.4f}, {ci.level:.0%} CI [{ci.low:+.4f}, {ci.high:+.4f}] {verdict}")


def _win_reason(leader: CandidateResult, primary: str, comparisons: Sequence[PairwiseComparison],
                gates: CandidateGates, level: float) -> str:
    text = f"{leader.model_id} has the lowest {METRIC_LABELS[primary]} ({leader.value(primary):.4f})"
    if comparisons:
        versus = ", ".join(
            f"vs {c.other}: {c.difference.estimate:+.4f}, CI [{c.difference.ci.low:+.4f}, {c.difference.ci.high:+.4f}], "
            f"P(better) {c.difference.probability_a_better:.3f}" for c in comparisons)
        text += f", better than every other candidate with {level:.0%} confidence ({versus})"
    else:
        text += ", the only candidate"
    if gates.results:
        text += "; passes every gate (" + "; ".join(result.describe() for result in gates.results) + ")"
    return text
