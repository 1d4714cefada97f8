"""Gates a winner must pass, whatever its accuracy: speed, hallucination and forgetting.

- `max_rtf`: the real-time factor (processing seconds / audio seconds, on the serving path) at most this.
- `max_hallucination_rate`: the fraction of utterances that hallucinate - emit any word on non-speech or fall
  into a repetition loop (see `UtteranceScore.hallucinated`) - at most this (0..1). A per-utterance rate
  rather than words per hour of non-speech: it is defined on every dataset (many hold no measured
  non-speech at all), lies in 0..1, and counts both kinds of hallucination; words per hour is reported
  beside it on the leaderboard.
- `max_reference_regression`: on a *reference* dataset (general speech, e.g. built from
  ../shared/realspeech), the candidate's `reference_metric` (WER by default) may be at most this much
  *relatively* worse than the `reference_baseline` model's: 0.05 allows 5% relative (0.100 -> 0.105). This
  catches forgetting: a model tuned on a team's calls that lost general English. When the baseline's value is
  0, any error counts as an infinite regression.

Gates compare point estimates. A gate that cannot be measured (no audio seconds, no reference-dataset result
for the candidate or the baseline) fails: a winner is promoted only on evidence.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.candidate import HALLUCINATION_RATE, RTF, CandidateResult, check_metric


@dataclass(frozen=True)
class Gates:
    """Limits a winner must respect; None disables a gate."""

    max_rtf: float | None = None  # processing seconds per audio second
    max_hallucination_rate: float | None = None  # fraction of utterances that hallucinate, 0..1
    max_reference_regression: float | None = None  # relative regression on the reference dataset (0.05 = 5%)
    reference_baseline: str | None = None  # model id whose reference-dataset result is the baseline
    reference_metric: str = "wer"  # the metric compared on the reference dataset

    def __post_init__(self) -> None:
        for name in ("max_rtf", "max_hallucination_rate", "max_reference_regression"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise InvalidArgument(f"gate {name} must be a finite number >= 0, got {value!r}")
        if self.max_reference_regression is not None and not self.reference_baseline:
            raise InvalidArgument("gate max_reference_regression needs reference_baseline: the model id whose "
                                  "reference-dataset result the candidates are compared with")
        check_metric(self.reference_metric)


@dataclass(frozen=True)
class GateResult:
    """One gate checked on one candidate."""

    gate: str  # "max_rtf", "max_hallucination_rate" or "max_reference_regression"
    limit: float
    measured: float  # nan when it could not be measured
    passed: bool
    detail: str = ""  # context: what was compared, or why nothing could be measured

    def describe(self) -> str:
        """e.g. "max_rtf 0.5 < measured 0.62" (a failure) or "max_rtf 0.5 >= measured 0.12"."""
        relation = ">=" if self.passed else "<"
        text = f"{self.gate} {self.limit:g} {relation} measured {self.measured:.4g}"
        return f"{text} ({self.detail})" if self.detail else text


@dataclass(frozen=True)
class CandidateGates:
    """Every configured gate checked on one candidate."""

    model_id: str
    results: tuple[GateResult, ...]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> tuple[GateResult, ...]:
        return tuple(result for result in self.results if not result.passed)


def check_gates(candidate: CandidateResult, gates: Gates,
                reference_results: Mapping[str, CandidateResult] | None = None) -> CandidateGates:
    """Check every configured gate on `candidate`; `reference_results` maps model id -> its result on the
    reference dataset (needed by max_reference_regression)."""
    results = []
    if gates.max_rtf is not None:
        results.append(_limit("max_rtf", gates.max_rtf, candidate.value(RTF)))
    if gates.max_hallucination_rate is not None:
        results.append(_limit("max_hallucination_rate", gates.max_hallucination_rate,
                              candidate.value(HALLUCINATION_RATE)))
    if gates.max_reference_regression is not None:
        results.append(_reference_regression(candidate.model_id, gates, reference_results or {}))
    return CandidateGates(candidate.model_id, tuple(results))


def _limit(gate: str, limit: float, measured: float, detail: str = "") -> GateResult:
    if math.isnan(measured):
        return GateResult(gate, limit, measured, False, detail or "could not be measured")
    return GateResult(gate, limit, measured, measured <= limit, detail)


def _reference_regression(model_id: str, gates: Gates, reference_results: Mapping[str, CandidateResult]) -> GateResult:
    gate, limit, metric, baseline_id = "max_reference_regression", gates.max_reference_regression, \
        gates.reference_metric, gates.reference_baseline
    missing = [name for name in (model_id, baseline_id) if name not in reference_results]
    if missing:
        return GateResult(gate, limit, math.nan, False, f"no reference-dataset result for {', '.join(map(repr, missing))}")
    measured_value = reference_results[model_id].value(metric)
    baseline_value = reference_results[baseline_id].value(metric)
    if baseline_value > 0:
        regression = (measured_value - baseline_value) / baseline_value
    else:
        regression = 0.0 if measured_value <= baseline_value else math.inf
    detail = f"reference {metric} {measured_value:.4g} vs baseline {baseline_id} {baseline_value:.4g}"
    if model_id != baseline_id:
        verdict = "within" if regression <= limit else "exceeds"
        detail += (f": general-speech {metric.upper()} regression {regression:+.1%} relative {verdict} the "
                   f"forgetting budget {limit:.0%}")
    return _limit(gate, limit, regression, detail)
