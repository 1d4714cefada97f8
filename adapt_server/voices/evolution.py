"""A resumable separable natural evolution strategy (SNES) that maximizes a black-box objective.

Each generation samples `population` candidates mean + sigma * eps with mirrored (antithetic) eps ~ N(0, I),
ranks them by the objective, and moves the mean and the per-dimension step sizes sigma by rank-based
utilities (Wierstra et al., "Natural Evolution Strategies", JMLR 2014, separable variant). Everything the
next generation needs, the random generator's state included, is in EvolutionState, which round-trips
through JSON: a run checkpointed after any generation and resumed gives exactly the uninterrupted run.
"""
from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class EvolutionState:
    """The search after `generation` generations."""

    generation: int  # generations done
    mean: np.ndarray  # float64 (d,): centre of the search distribution
    sigma: np.ndarray  # float64 (d,): step size per dimension
    best: np.ndarray  # float64 (d,): best candidate accepted so far
    best_score: float  # its objective value
    evaluations: int  # objective calls (candidates) so far
    rng_state: dict  # numpy PCG64 bit generator state
    history: list = field(default_factory=list)  # per generation: [generation, best_score, median score]

    @classmethod
    def start(cls, mean: np.ndarray, sigma: np.ndarray, score: float, seed: int) -> "EvolutionState":
        mean = np.asarray(mean, dtype=np.float64).copy()
        return cls(0, mean, np.asarray(sigma, dtype=np.float64).copy(), mean.copy(), float(score), 0,
                   np.random.Generator(np.random.PCG64(seed)).bit_generator.state)

    def to_json(self) -> str:
        return json.dumps({"generation": self.generation, "mean": self.mean.tolist(), "sigma": self.sigma.tolist(),
                           "best": self.best.tolist(), "best_score": self.best_score,
                           "evaluations": self.evaluations, "rng_state": self.rng_state, "history": self.history})

    @classmethod
    def from_json(cls, text: str) -> "EvolutionState":
        data = json.loads(text)
        return cls(data["generation"], np.array(data["mean"]), np.array(data["sigma"]), np.array(data["best"]),
                   float(data["best_score"]), data["evaluations"], data["rng_state"], data["history"])


def snes_learning_rates(dimensions: int) -> tuple[float, float]:
    """(mean rate, sigma rate): 1 and (3 + ln d) / (5 sqrt d), SNES's defaults."""
    return 1.0, (3 + math.log(dimensions)) / (5 * math.sqrt(dimensions))


def rank_utilities(population: int) -> np.ndarray:
    """float64 (population,) utilities by rank (best first), summing to 0 (SNES's fitness shaping)."""
    ranks = np.arange(1, population + 1)
    raw = np.maximum(0.0, math.log(population / 2 + 1) - np.log(ranks))
    return raw / raw.sum() - 1.0 / population


def evolution_step(state: EvolutionState, objective: Callable[[np.ndarray], np.ndarray], population: int,
                   accept: Callable[[np.ndarray, float], bool] | None = None) -> EvolutionState:
    """One generation: `objective` maps candidates float64 (population, d) to scores (population,) to
    maximize. The best candidate becomes `best` when it beats best_score and `accept(candidate, score)`
    (a gate, e.g. intelligibility) agrees. Returns a new state (the given one is not changed)."""
    if population < 2 or population % 2:
        raise ValueError(f"population must be an even number >= 2, got {population}")
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = state.rng_state
    half = rng.standard_normal((population // 2, state.mean.size))
    eps = np.concatenate([half, -half])
    candidates = state.mean + state.sigma * eps
    scores = np.asarray(objective(candidates), dtype=np.float64)
    order = np.argsort(-scores, kind="stable")
    utilities = np.zeros(population)
    utilities[order] = rank_utilities(population)
    mean_rate, sigma_rate = snes_learning_rates(state.mean.size)
    mean = state.mean + mean_rate * state.sigma * (utilities @ eps)
    sigma = state.sigma * np.exp(sigma_rate / 2 * (utilities @ (eps ** 2 - 1)))
    best, best_score = state.best, state.best_score
    top = int(order[0])
    if scores[top] > best_score and (accept is None or accept(candidates[top], float(scores[top]))):
        best, best_score = candidates[top].copy(), float(scores[top])
    history = state.history + [[state.generation + 1, round(best_score, 6), round(float(np.median(scores)), 6)]]
    return EvolutionState(state.generation + 1, mean, sigma, best, best_score, state.evaluations + population,
                          rng.bit_generator.state, history)
