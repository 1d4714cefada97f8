"""SNES: improves a real objective, and a checkpointed-and-resumed run equals the uninterrupted one."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.voices.evolution import EvolutionState, evolution_step, rank_utilities

CENTRE = np.linspace(-1.0, 1.0, 12)


def _objective(candidates: np.ndarray) -> np.ndarray:
    return -np.sum((candidates - CENTRE) ** 2, axis=1)


def _run(state, generations, accept=None):
    for _ in range(generations):
        state = evolution_step(state, _objective, population=10, accept=accept)
    return state


def test_utilities_rank_best_first_and_sum_to_zero():
    utilities = rank_utilities(8)
    assert utilities[0] > utilities[1] > 0 > utilities[-1]
    assert utilities.sum() == pytest.approx(0.0)


def test_snes_approaches_the_optimum():
    start = EvolutionState.start(np.full(12, 3.0), np.full(12, 1.0), float(_objective(np.full((1, 12), 3.0))[0]), 0)
    end = _run(start, 60)
    assert end.best_score > 0.1 * start.best_score  # squared distance cut at least tenfold
    assert end.generation == 60 and end.evaluations == 600 and len(end.history) == 60


def test_a_resumed_run_equals_the_uninterrupted_one():
    start = EvolutionState.start(np.zeros(12), np.full(12, 0.5), float(_objective(np.zeros((1, 12)))[0]), 7)
    straight = _run(start, 6)
    resumed = _run(EvolutionState.from_json(_run(start, 3).to_json()), 3)
    np.testing.assert_array_equal(straight.best, resumed.best)
    np.testing.assert_array_equal(straight.sigma, resumed.sigma)
    assert straight.history == resumed.history


def test_the_gate_keeps_rejected_candidates_from_becoming_best():
    start = EvolutionState.start(np.zeros(12), np.full(12, 0.5), float(_objective(np.zeros((1, 12)))[0]), 1)
    gated = _run(start, 5, accept=lambda candidate, score: False)
    np.testing.assert_array_equal(gated.best, start.best)
    assert gated.best_score == start.best_score


def test_population_must_be_even():
    start = EvolutionState.start(np.zeros(2), np.ones(2), 0.0, 0)
    with pytest.raises(ValueError, match="even"):
        evolution_step(start, _objective, population=3)
