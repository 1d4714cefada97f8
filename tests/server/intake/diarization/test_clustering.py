"""Clustering and speaker counting on synthetic embeddings with known speakers."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.intake.diarization.clustering import (
    agglomerative_labels,
    estimate_speaker_count,
    first_appearance_order,
    merge_similar_clusters,
    merge_small_clusters,
    pool_consecutive,
    refine_labels,
    spectral_labels,
)
from adapt_server.intake.diarization.embedded import cluster_windows
from adapt_server.intake.diarization.options import DiarizationOptions


def speakers_in_time(n_speakers: int, windows_each: int, spread: float, seed: int = 0, dims: int = 256):
    """Time-ordered unit embeddings: each speaker talks in 2 turns (A B C A B C), `spread` = noise scale
    relative to the unit speaker centres. Returns (embeddings (n, dims), true labels (n,))."""
    rng = np.random.default_rng(seed)
    centres = np.abs(rng.standard_normal((n_speakers, dims)))  # d-vectors are non-negative
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.concatenate([np.full(windows_each // 2, s) for _ in range(2) for s in range(n_speakers)])
    noise = rng.standard_normal((labels.size, dims)) * spread / np.sqrt(dims)
    rows = centres[labels] + noise
    return rows / np.linalg.norm(rows, axis=1, keepdims=True), labels


def same_partition(found: np.ndarray, truth: np.ndarray) -> bool:
    return np.array_equal(first_appearance_order(found), first_appearance_order(truth))


@pytest.mark.parametrize("n_speakers", [2, 3, 4])
def test_spectral_clustering_counts_and_separates_speakers(n_speakers):
    embeddings, truth = speakers_in_time(n_speakers, 20, spread=0.8, seed=n_speakers)
    labels = spectral_labels(embeddings)
    assert labels.max() + 1 == n_speakers
    assert same_partition(labels, truth)


def test_one_speaker_is_not_split():
    """The eigengap alone halves one noisy voice; the diarizer's clustering merges the near-identical halves."""
    embeddings, _ = speakers_in_time(1, 40, spread=0.8)
    assert cluster_windows(embeddings, DiarizationOptions(), None, 1, 8).max() == 0
    assert agglomerative_labels(embeddings, threshold=0.5).max() == 0


def test_distinct_speakers_are_not_merged():
    embeddings, truth = speakers_in_time(3, 20, spread=0.8, seed=3)
    assert same_partition(cluster_windows(embeddings, DiarizationOptions(), None, 1, 8), truth)
    assert merge_similar_clusters(embeddings, truth, min_similarity=0.9).max() == 2
    assert merge_similar_clusters(embeddings, truth, min_similarity=-1.0, min_clusters=2).max() == 1


def test_agglomerative_threshold_decides_the_count():
    embeddings, truth = speakers_in_time(3, 20, spread=0.5, seed=7)
    labels = agglomerative_labels(embeddings, threshold=0.5)
    assert same_partition(labels, truth)
    assert agglomerative_labels(embeddings, threshold=1.9).max() == 0  # nothing is that far apart: one speaker


def test_given_count_and_bounds_override_the_estimate():
    embeddings, _ = speakers_in_time(3, 20, spread=0.5, seed=1)
    assert spectral_labels(embeddings, num_speakers=2).max() + 1 == 2
    assert spectral_labels(embeddings, max_speakers=2).max() + 1 <= 2
    assert spectral_labels(embeddings, min_speakers=4).max() + 1 >= 4
    assert agglomerative_labels(embeddings, 0.5, num_speakers=5).max() + 1 == 5
    assert agglomerative_labels(embeddings, 1.9, min_speakers=2).max() + 1 == 2


def test_degenerate_inputs():
    assert spectral_labels(np.zeros((0, 8))).size == 0
    assert spectral_labels(np.ones((1, 8))).tolist() == [0]
    assert agglomerative_labels(np.ones((1, 8)), 0.3).tolist() == [0]


def test_eigengap_picks_the_largest_ratio_within_bounds():
    values = np.array([10.0, 9.0, 8.5, 0.5, 0.4, 0.3])  # three large eigenvalues: 3 speakers
    assert estimate_speaker_count(values, 1, 5) == 3
    assert estimate_speaker_count(values, 1, 2) == 1  # 10 / 9 > 9 / 8.5
    assert estimate_speaker_count(values, 4, 5) == 5  # 0.4 / 0.3 > 0.5 / 0.4


def test_refinement_moves_a_stray_window_to_its_speaker():
    embeddings, truth = speakers_in_time(2, 20, spread=0.3, seed=2)
    wrong = truth.copy()
    wrong[3] = 1 - wrong[3]
    assert same_partition(refine_labels(embeddings, wrong, iterations=2), truth)


def test_small_clusters_merge_into_the_closest_one():
    embeddings, truth = speakers_in_time(2, 20, spread=0.3, seed=3)
    labels = truth.copy()
    labels[0] = 2  # a one-window "speaker" that is really speaker 0
    merged = merge_small_clusters(embeddings, labels, np.full(labels.size, 0.5), min_weight=2.0)
    assert same_partition(merged, truth)
    assert merge_small_clusters(embeddings, np.zeros(labels.size, int), np.ones(labels.size), 100.0).max() == 0


def test_first_appearance_order():
    assert first_appearance_order(np.array([5, 5, 2, 9, 2])).tolist() == [0, 0, 1, 2, 1]


def test_long_recordings_cluster_pooled_windows_and_label_every_window():
    embeddings, truth = speakers_in_time(2, 200, spread=0.8, seed=4)  # runs of 100 windows per turn
    labels = cluster_windows(embeddings, DiarizationOptions(), None, 1, 8, max_cluster_items=50)
    assert labels.shape == truth.shape
    assert same_partition(labels, truth)
    assert pool_consecutive(embeddings, 3).shape == (134, 256)


def test_many_speakers_in_a_long_recording_are_counted():
    """Six voices, 80 windows each (about 40 s of speech each at a 0.5-s step)."""
    embeddings, truth = speakers_in_time(6, 80, spread=0.8, seed=6)
    labels = cluster_windows(embeddings, DiarizationOptions(), None, 1, 8)
    assert labels.max() + 1 == 6
    assert same_partition(labels, truth)
