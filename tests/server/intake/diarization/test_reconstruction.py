"""Pure reconstruction steps of the overlap-aware diarizer on small synthetic inputs."""
from __future__ import annotations

import numpy as np

from adapt_server.intake.diarization.reconstruction import (
    Stretches,
    assign_stretches,
    centroids_of,
    cluster_embeddings,
    global_activity,
)


def _unit(rows) -> np.ndarray:
    array = np.asarray(rows, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def _two_voices(n_per_voice: int, spread: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit embeddings of two voices (d=16) around orthogonal directions, and their true labels."""
    rng = np.random.default_rng(seed)
    centres = np.eye(16)[:2]
    rows = [centres[v] + spread * rng.standard_normal(16) for v in (0, 1) for _ in range(n_per_voice)]
    return _unit(rows), np.repeat([0, 1], n_per_voice)


def test_two_separated_voices_become_two_speakers_and_a_high_threshold_merges_them():
    embeddings, truth = _two_voices(6, 0.05)
    chunks = np.arange(12)  # one stretch per chunk: no cannot-link
    labels = cluster_embeddings(embeddings, chunks, threshold=0.5, cannot_link=1.0)
    assert len(set(labels)) == 2 and all(len(set(labels[truth == v])) == 1 for v in (0, 1))
    assert set(cluster_embeddings(embeddings, chunks, threshold=1.5, cannot_link=1.0)) == {0}


def test_speaker_counts_given_or_bounded_are_obeyed():
    embeddings, _ = _two_voices(6, 0.05)
    chunks = np.arange(12)
    assert len(set(cluster_embeddings(embeddings, chunks, 0.5, 1.0, num_speakers=3))) == 3
    assert len(set(cluster_embeddings(embeddings, chunks, 0.5, 1.0, max_speakers=1))) == 1
    assert len(set(cluster_embeddings(embeddings, chunks, 1.5, 1.0, min_speakers=2))) == 2
    assert cluster_embeddings(embeddings[:1], chunks[:1], 0.5, 1.0).tolist() == [0]
    assert cluster_embeddings(np.zeros((0, 16), np.float32), np.zeros(0, np.int64), 0.5, 1.0).size == 0


def test_cannot_link_keeps_apart_local_speakers_the_segmentation_separated():
    """Two similar voices (cosine distance ~0.3, under the threshold 0.5) that talk in the same chunks as
    different local speakers: the soft cannot-link raises their average distance to ~0.55 (1 pair in 4 is
    in the same chunk), so they stay two speakers; without it they merge."""
    a, b = _unit([[1.0, 0.0]]), _unit([[0.7, 0.7]])
    embeddings = np.concatenate([a, b] * 4)
    chunks, local = np.repeat(np.arange(4), 2), np.tile([0, 1], 4)
    assert len(set(cluster_embeddings(embeddings, chunks, 0.5, 0.0, local_of=local))) == 1
    labels = cluster_embeddings(embeddings, chunks, 0.5, 1.0, local_of=local)
    assert len(set(labels)) == 2 and labels[0] != labels[1]
    # stretches of the same local speaker of a chunk are not kept apart
    same_local = cluster_embeddings(embeddings, chunks, 0.5, 1.0, local_of=np.zeros(8, np.int64))
    assert len(set(same_local)) == 1


def test_above_max_items_a_subset_is_clustered_and_every_embedding_labelled():
    embeddings, truth = _two_voices(50, 0.05)
    labels = cluster_embeddings(embeddings, np.arange(100), 0.5, 1.0, max_items=20)
    assert labels.shape == (100,) and len(set(labels)) == 2
    assert all(len(set(labels[truth == v])) == 1 for v in (0, 1))


def test_centroids_are_unit_means():
    embeddings, truth = _two_voices(3, 0.0)
    centroids = centroids_of(embeddings, truth)
    assert centroids.shape == (2, 16) and np.allclose(np.linalg.norm(centroids, axis=1), 1.0)
    assert np.allclose(centroids, np.eye(16)[:2], atol=1e-6)


def test_stretches_talking_at_once_get_distinct_speakers():
    centroids = _unit([[1, 0], [0, 1]])
    embeddings = _unit([[1, 0.2], [1, 0.1], [1, 0.0]])  # all nearest to speaker 0
    chunk, local = np.array([0, 0, 0]), np.array([0, 1, 1])
    first, end = np.array([0, 10, 100]), np.array([50, 60, 120])  # stretch 2 is later: no conflict
    speakers = assign_stretches(embeddings, chunk, local, first, end, centroids)
    # both match speaker 0 best; stretch 0 loses less by moving to its second choice, so it moves
    assert speakers.tolist()[:2] == [1, 0]
    assert speakers[2] == 0
    assert assign_stretches(embeddings, chunk, local, first, end, np.zeros((0, 2), np.float32)).tolist() == [-1] * 3


def test_global_activity_overlays_chunks_and_counts_speakers():
    """Two chunks of 10 frames, offset by 5: local speaker 0 is speaker A throughout, local speaker 1 (speaker
    B) talks in frames 3-7 of the second chunk together with A; the expected count says so."""
    active = np.zeros((2, 10, 3), np.float32)
    active[:, :, 0] = 1.0
    active[1, 3:8, 1] = 1.0
    count = active.sum(axis=2)
    stretches = Stretches(chunk_of=np.array([0, 1, 1]), local_of=np.array([0, 0, 1]), first_frame=np.array([0, 0, 3]),
                          end_frame=np.array([10, 10, 8]), speaker=np.array([0, 0, 1]))
    result = global_activity(active, count, stretches, np.array([0, 5]), 15, 2, speech_threshold=0.5,
                             overlap_threshold=1.2)
    assert result[:, 0].all()
    # B talks in global frames 8-12: count 1.5 where both chunks cover them (8-9), 2 after; nowhere else
    assert result[8:13, 1].all() and not result[:8, 1].any() and not result[13:, 1].any()
    silent = global_activity(active, np.zeros((2, 10)), stretches, np.array([0, 5]), 15, 2, 0.5, 1.2)
    assert not silent.any()
