"""Bootstrap confidence intervals for ratio metrics (WER, CER, DER, RTF, hallucination rate), and the paired
bootstrap of the difference between two candidates.

Every leaderboard number is a ratio of sums over *units* (numerator, denominator per unit: word errors and
reference words for WER). One bootstrap resample draws as many units as there are, uniformly with
replacement; the resampled metric is sum(count_i * numerator_i) / sum(count_i * denominator_i), where
count_i is how often unit i was drawn. All resamples are computed at once as a (resamples, units) matrix of
draw counts times the (units, columns) matrix of per-unit sums, in chunks that bound memory. The 95%
interval is the 2.5th..97.5th percentile of the resampled metric (percentile bootstrap).

**The unit** (`unit`): errors within one recording are correlated (same speaker, channel, topic), so
resampling utterances treats them as independent and gives intervals that are too narrow. With
`unit="auto"` (the default) the unit is the recording when the data holds at least
`MIN_RECORDINGS_FOR_RECORDING_UNIT` (10) distinct recordings, else the utterance (with fewer recordings a
recording-level bootstrap has too few distinct resamples to be meaningful). `"utterance"` and `"recording"`
force one. DER is always resampled by recording (it is only defined per recording).

**Paired bootstrap**: two candidates scored on the same units are resampled with the *same* draw counts, so
the noise both share (hard utterances are hard for every model) cancels in the difference
metric(A) - metric(B). Its 95% interval excluding 0 means one is better with confidence; the fraction of
resamples where A's metric is lower estimates the probability that A is better.

Resampling uses `numpy.random.default_rng(seed)`: the same inputs and seed give the same intervals.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument

DEFAULT_RESAMPLES = 1000  # bootstrap resamples per interval
DEFAULT_LEVEL = 0.95  # two-sided confidence level
DEFAULT_SEED = 0  # seed of numpy's default Generator
MIN_RECORDINGS_FOR_RECORDING_UNIT = 10  # "auto" resamples recordings from this many distinct recordings on
UNITS = ("auto", "utterance", "recording")
_MAX_DRAWS_PER_CHUNK = 4_000_000  # resamples x units per chunk (a 32 MB int64 count matrix)


@dataclass(frozen=True)
class ConfidenceInterval:
    """A two-sided bootstrap interval [low, high] at `level` (nan, nan when the data has no units)."""

    low: float
    high: float
    level: float = DEFAULT_LEVEL  # e.g. 0.95

    def contains(self, value: float) -> bool:
        """low <= value <= high, up to float rounding (1e-12 relative: sums taken in another order)."""
        tolerance = 1e-12 * max(1.0, abs(value))
        return self.low - tolerance <= value <= self.high + tolerance

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass(frozen=True)
class PairedDifference:
    """metric(A) - metric(B) on the same units (lower metric is better: a negative difference favours A)."""

    estimate: float  # the difference on the full data
    ci: ConfidenceInterval  # bootstrap interval of the difference
    probability_a_better: float  # fraction of resamples where A's metric is lower (ties count half), 0..1
    n_units: int  # units resampled

    @property
    def a_better(self) -> bool:
        """A is better with confidence: the whole interval is below 0."""
        return self.ci.high < 0

    @property
    def b_better(self) -> bool:
        """B is better with confidence: the whole interval is above 0."""
        return self.ci.low > 0


def resolve_unit(unit: str, recording_ids: Sequence[str]) -> str:
    """"utterance" or "recording": `unit` itself, or for "auto" the recording when `recording_ids` (one per
    utterance) name at least MIN_RECORDINGS_FOR_RECORDING_UNIT distinct recordings."""
    if unit not in UNITS:
        raise InvalidArgument(f"unknown bootstrap unit {unit!r}; choose one of {', '.join(UNITS)}")
    if unit != "auto":
        return unit
    return "recording" if len(set(recording_ids)) >= MIN_RECORDINGS_FOR_RECORDING_UNIT else "utterance"


def sum_by_unit(keys: Sequence[str], values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `values` (n_rows, n_columns) summed per key (n_rows,): (unit keys (n_units,) sorted,
    sums (n_units, n_columns))."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or len(values) != len(keys):  # (n_rows, n_columns) already, even with 0 rows
        values = values.reshape(len(keys), -1)
    unit_keys, inverse = np.unique(np.asarray(keys, dtype=object).astype(str), return_inverse=True)
    sums = np.zeros((len(unit_keys), values.shape[1]))
    np.add.at(sums, inverse, values)
    return unit_keys, sums


def resampled_sums(values: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, n_columns): column sums of `values` (n_units, n_columns) over bootstrap resamples of its
    rows (n_units draws with replacement each)."""
    values = np.asarray(values, dtype=np.float64)
    n_units = len(values)
    if n_resamples < 1:
        raise InvalidArgument(f"n_resamples must be >= 1, got {n_resamples}")
    rows_per_chunk = max(1, _MAX_DRAWS_PER_CHUNK // max(n_units, 1))
    chunks = []
    for first in range(0, n_resamples, rows_per_chunk):
        rows = min(rows_per_chunk, n_resamples - first)
        draws = rng.integers(0, n_units, size=(rows, n_units)) + (np.arange(rows) * n_units)[:, None]
        counts = np.bincount(draws.ravel(), minlength=rows * n_units).reshape(rows, n_units)
        chunks.append(counts @ values)
    return np.concatenate(chunks)


def bootstrap_ratio(numerator: np.ndarray, denominator: np.ndarray, *, n_resamples: int = DEFAULT_RESAMPLES,
                    seed: int = DEFAULT_SEED, level: float = DEFAULT_LEVEL) -> ConfidenceInterval:
    """Percentile interval of sum(numerator) / sum(denominator) over resampled units.

    numerator, denominator: (n_units,) per-unit sums (e.g. word errors and reference words per recording).
    """
    values = _stack(numerator, denominator)
    if len(values) == 0:
        return ConfidenceInterval(np.nan, np.nan, level)
    sums = resampled_sums(values, n_resamples, np.random.default_rng(seed))
    return _interval(_divide(sums[:, 0], sums[:, 1]), level)


def paired_bootstrap_ratio(numerator_a: np.ndarray, denominator_a: np.ndarray, numerator_b: np.ndarray,
                           denominator_b: np.ndarray, *, n_resamples: int = DEFAULT_RESAMPLES,
                           seed: int = DEFAULT_SEED, level: float = DEFAULT_LEVEL) -> PairedDifference:
    """Paired bootstrap of ratio(A) - ratio(B), where row i of all four (n_units,) arrays is the same unit."""
    values = _stack(numerator_a, denominator_a, numerator_b, denominator_b)
    if len(values) == 0:
        return PairedDifference(np.nan, ConfidenceInterval(np.nan, np.nan, level), np.nan, 0)
    totals = values.sum(axis=0)
    estimate = _divide(totals[0], totals[1]) - _divide(totals[2], totals[3])
    sums = resampled_sums(values, n_resamples, np.random.default_rng(seed))
    differences = _divide(sums[:, 0], sums[:, 1]) - _divide(sums[:, 2], sums[:, 3])
    finite = differences[np.isfinite(differences)]
    probability = float(np.mean((finite < 0) + 0.5 * (finite == 0))) if len(finite) else np.nan
    return PairedDifference(float(estimate), _interval(differences, level), probability, len(values))


def _stack(*columns: np.ndarray) -> np.ndarray:
    arrays = [np.asarray(column, dtype=np.float64).ravel() for column in columns]
    if len({len(array) for array in arrays}) != 1:
        raise InvalidArgument(f"bootstrap columns must have one value per unit; got lengths {[len(a) for a in arrays]}")
    return np.stack(arrays, axis=1)


def _divide(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray | float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.asarray(denominator) != 0, np.asarray(numerator) / np.asarray(denominator), np.nan)[()]


def _interval(samples: np.ndarray, level: float) -> ConfidenceInterval:
    if not 0 < level < 1:
        raise InvalidArgument(f"confidence level must be between 0 and 1, got {level}")
    finite = samples[np.isfinite(samples)]
    if len(finite) == 0:
        return ConfidenceInterval(np.nan, np.nan, level)
    tail = (1 - level) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return ConfidenceInterval(float(low), float(high), level)
