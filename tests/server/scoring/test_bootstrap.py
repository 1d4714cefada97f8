"""Bootstrap intervals: vectorized resampling, intervals that contain the estimate and shrink with data,
the unit rule, and the paired difference."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.bootstrap import (MIN_RECORDINGS_FOR_RECORDING_UNIT, bootstrap_ratio,
                                            paired_bootstrap_ratio, resampled_sums, resolve_unit, sum_by_unit)


def errors_and_words(n_units: int, error_rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-unit (errors, words): 5..30 words per unit, each wrong with `error_rate`."""
    rng = np.random.default_rng(seed)
    words = rng.integers(5, 31, size=n_units)
    return rng.binomial(words, error_rate).astype(float), words.astype(float)


def test_resampled_sums_equal_an_explicit_resampling_with_the_same_generator():
    values = np.arange(12, dtype=float).reshape(6, 2) ** 1.5
    ours = resampled_sums(values, 50, np.random.default_rng(7))
    indices = np.random.default_rng(7).integers(0, 6, size=(50, 6))  # the draws, one row per resample
    assert ours.shape == (50, 2)
    np.testing.assert_allclose(ours, values[indices].sum(axis=1))


def test_resampled_sums_in_chunks_keep_the_bootstrap_distribution():
    values = np.ones((20000, 1))  # every resample of 20000 ones sums to 20000, whatever the chunking
    sums = resampled_sums(values, 450, np.random.default_rng(0))  # > one chunk of 4e6 draws
    assert sums.shape == (450, 1) and (sums == 20000).all()
    values = np.random.default_rng(1).random((3000, 1))
    sums = resampled_sums(values, 2000, np.random.default_rng(2))[:, 0]
    assert sums.mean() == pytest.approx(values.sum(), rel=1e-3)
    assert sums.std() == pytest.approx(np.sqrt(3000) * values.std(), rel=0.1)  # the textbook standard error


def test_the_interval_contains_the_estimate_and_shrinks_with_more_data():
    widths = []
    for n_units in (20, 200, 2000):
        errors, words = errors_and_words(n_units, 0.1, seed=n_units)
        interval = bootstrap_ratio(errors, words)
        assert interval.contains(errors.sum() / words.sum())
        assert interval.level == 0.95
        widths.append(interval.width)
    assert widths[0] > widths[1] > widths[2] > 0
    assert widths[0] / widths[2] == pytest.approx(10, rel=0.35)  # ~1/sqrt(n): 100x the data, 10x narrower


def test_the_same_seed_gives_the_same_interval():
    errors, words = errors_and_words(50, 0.2, seed=3)
    assert bootstrap_ratio(errors, words, seed=5) == bootstrap_ratio(errors, words, seed=5)
    assert bootstrap_ratio(errors, words, seed=5) != bootstrap_ratio(errors, words, seed=6)
    assert np.isnan(bootstrap_ratio(np.array([]), np.array([])).low)


def test_sum_by_unit_groups_rows():
    keys, sums = sum_by_unit(["b", "a", "b"], np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert list(keys) == ["a", "b"]
    np.testing.assert_array_equal(sums, [[3.0, 4.0], [6.0, 8.0]])


def test_the_unit_is_the_recording_from_ten_recordings_on():
    few = [f"r{i % (MIN_RECORDINGS_FOR_RECORDING_UNIT - 1)}" for i in range(100)]
    many = [f"r{i % MIN_RECORDINGS_FOR_RECORDING_UNIT}" for i in range(100)]
    assert resolve_unit("auto", few) == "utterance"
    assert resolve_unit("auto", many) == "recording"
    assert resolve_unit("utterance", many) == "utterance"
    with pytest.raises(InvalidArgument, match="auto, utterance, recording"):
        resolve_unit("speaker", many)


def test_paired_bootstrap_of_a_clear_difference():
    errors_a, words = errors_and_words(100, 0.05, seed=1)
    errors_b = errors_a + np.random.default_rng(2).binomial(words.astype(int), 0.15)  # B adds errors everywhere
    difference = paired_bootstrap_ratio(errors_a, words, errors_b, words)
    assert difference.estimate == pytest.approx((errors_a.sum() - errors_b.sum()) / words.sum())
    assert difference.ci.contains(difference.estimate)
    assert difference.a_better and not difference.b_better
    assert difference.probability_a_better == 1.0
    assert difference.n_units == 100


def test_pairing_removes_the_noise_both_candidates_share():
    errors_a, words = errors_and_words(100, 0.2, seed=4)
    errors_b = errors_a + (np.arange(100) % 10 == 0)  # B: the same errors, plus one every 10th unit
    paired = paired_bootstrap_ratio(errors_a, words, errors_b, words)
    unpaired_width = bootstrap_ratio(errors_a, words).width + bootstrap_ratio(errors_b, words).width
    assert paired.a_better  # 10 extra errors in ~1800 words are detectable only when paired
    assert paired.ci.width < unpaired_width / 5


def test_identical_candidates_tie_at_exactly_zero():
    errors, words = errors_and_words(30, 0.1, seed=8)
    difference = paired_bootstrap_ratio(errors, words, errors, words)
    assert (difference.estimate, difference.ci.low, difference.ci.high) == (0.0, 0.0, 0.0)
    assert difference.probability_a_better == 0.5
    assert not difference.a_better and not difference.b_better


def test_columns_must_align():
    with pytest.raises(InvalidArgument, match="one value per unit"):
        paired_bootstrap_ratio(np.ones(3), np.ones(3), np.ones(2), np.ones(2))
