"""Pure steps from local segmentation + local speaker embeddings to global speaker activity (pyannote 3.x's
approach): cluster the embeddings of local speakers' stretches into global speakers, give each stretch a
global speaker (distinct for stretches the segmentation says are different people talking at once), and
rebuild a global frame timeline where the number of active speakers per frame comes from the segmentation
model's expected count.

Shapes: n_chunks C, frames per chunk F, local speakers 3, global speakers K, embeddings n (192-dim, unit
length), global frames G (the chunks' frame grid laid out on the recording's timeline), stretches n.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_CLUSTER_ITEMS = 4000  # embeddings clustered at once (an n x n distance matrix); the rest are assigned
TIE_BREAK = 1e-3  # weight of a speaker's share of all activation when ranking a frame's speakers


def cluster_embeddings(embeddings: np.ndarray, chunk_of: np.ndarray, threshold: float, cannot_link: float, *,
                       local_of: np.ndarray | None = None,
                       num_speakers: int | None = None, min_speakers: int = 1, max_speakers: int = 8,
                       max_items: int = MAX_CLUSTER_ITEMS) -> np.ndarray:
    """int (n,) global speaker labels 0..K-1 of unit embeddings (n, d) by average-linkage clustering on
    cosine distance, stopped at `threshold`. Embeddings of different local speakers (`local_of`, int (n,))
    of the same chunk (`chunk_of`, int (n,)) are different people for the segmentation model, so their
    distance is raised by `cannot_link` (a soft cannot-link); without local_of, all embeddings of a chunk.

    num_speakers fixes K (when there are that many embeddings); otherwise K is clipped to
    [min_speakers, max_speakers]. Above max_items embeddings, an evenly spaced subset is clustered and every
    embedding takes the label of the nearest cluster centroid."""
    n = embeddings.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    subset = np.arange(n) if n <= max_items else np.linspace(0, n - 1, max_items).round().astype(np.int64)
    labels = _average_linkage(embeddings[subset], chunk_of[subset],
                              None if local_of is None else local_of[subset], threshold, cannot_link, num_speakers,
                              min_speakers, max_speakers)
    if subset.size == n:
        return labels
    centroids = centroids_of(embeddings[subset], labels)
    return np.argmax(embeddings @ centroids.T, axis=1).astype(np.int64)


def _average_linkage(embeddings, chunk_of, local_of, threshold, cannot_link, num_speakers, min_speakers,
                     max_speakers):
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distances = np.clip(1.0 - embeddings @ embeddings.T, 0.0, 2.0).astype(np.float64)
    same_chunk = chunk_of[:, None] == chunk_of[None, :]
    if local_of is not None:
        same_chunk &= local_of[:, None] != local_of[None, :]
    distances[same_chunk] += cannot_link
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    n = embeddings.shape[0]
    if num_speakers is not None:
        labels = fcluster(tree, t=min(num_speakers, n), criterion="maxclust")
    else:
        labels = fcluster(tree, t=threshold, criterion="distance")
        count = labels.max()
        if count > max_speakers or count < min(min_speakers, n):
            labels = fcluster(tree, t=min(max(count, min_speakers), max_speakers, n), criterion="maxclust")
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def centroids_of(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """float32 (K, d) unit-length mean embedding of each label 0..K-1."""
    k = int(labels.max()) + 1 if labels.size else 0
    centroids = np.stack([embeddings[labels == label].mean(axis=0) for label in range(k)]) if k else \
        np.zeros((0, embeddings.shape[1]), dtype=np.float32)
    return (centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)).astype(np.float32)


@dataclass(frozen=True)
class Stretches:
    """Stretches of local speakers and their global speakers: stretch i is local speaker local_of[i] of chunk
    chunk_of[i] over the chunk's frames [first_frame[i], end_frame[i]), spoken by global speaker speaker[i]
    (-1: none)."""

    chunk_of: np.ndarray  # int64 (n,)
    local_of: np.ndarray  # int64 (n,)
    first_frame: np.ndarray  # int64 (n,)
    end_frame: np.ndarray  # int64 (n,)
    speaker: np.ndarray  # int64 (n,)


def assign_stretches(embeddings: np.ndarray, chunk_of: np.ndarray, local_of: np.ndarray, first_frame: np.ndarray,
                     end_frame: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """int64 (n,) global speaker of each stretch: its most similar centroid, except that stretches of
    different local speakers of one chunk that overlap in time go to distinct speakers (the segmentation says
    they are different people), the pair resolved by the best total similarity."""
    if embeddings.shape[0] == 0 or centroids.shape[0] == 0:
        return np.full(embeddings.shape[0], -1, dtype=np.int64)
    similarity = embeddings @ centroids.T  # (n, K)
    speakers = np.argmax(similarity, axis=1).astype(np.int64)
    if centroids.shape[0] < 2:
        return speakers
    for chunk in np.unique(chunk_of):
        rows = np.flatnonzero(chunk_of == chunk)
        for a_index, a in enumerate(rows):
            for b in rows[a_index + 1:]:
                if local_of[a] == local_of[b] or speakers[a] != speakers[b]:
                    continue
                if min(end_frame[a], end_frame[b]) <= max(first_frame[a], first_frame[b]):
                    continue  # not at the same time
                second = np.argsort(-similarity[[a, b]], axis=1)[:, 1]
                # keep the one whose second choice costs more; move the other to its second choice
                loss_a = similarity[a, speakers[a]] - similarity[a, second[0]]
                loss_b = similarity[b, speakers[b]] - similarity[b, second[1]]
                if loss_a < loss_b:
                    speakers[a] = second[0]
                else:
                    speakers[b] = second[1]
    return speakers


def global_activity(active: np.ndarray, expected_count: np.ndarray, stretches: Stretches,
                    chunk_offsets: np.ndarray, n_global_frames: int, n_speakers: int,
                    speech_threshold: float, overlap_threshold: float) -> np.ndarray:
    """bool (G, K): who speaks in each global frame.

    active: (C, F, 3) local activity (0/1); expected_count: (C, F) expected speakers per frame;
    stretches: the local speakers' stretches with their global speakers; chunk_offsets: int (C,) global
    frame of each chunk's first frame. Each global speaker's activation is the local activity of its
    stretches averaged over the chunks covering a frame; the frame has 1 speaker where the averaged expected
    count reaches speech_threshold and 2 where it reaches overlap_threshold; those are the speakers with the
    highest activation (ties, e.g. speech of stretches too short to embed, go to the recording's dominant
    speakers)."""
    n_chunks, n_frames, _ = active.shape
    activation = np.zeros((n_global_frames, n_speakers), dtype=np.float64)
    count = np.zeros(n_global_frames, dtype=np.float64)
    coverage = np.zeros(n_global_frames, dtype=np.float64)
    for i in range(stretches.chunk_of.size):
        speaker = stretches.speaker[i]
        if speaker < 0:
            continue
        chunk = stretches.chunk_of[i]
        first = int(chunk_offsets[chunk]) + int(stretches.first_frame[i])
        end = min(n_global_frames, int(chunk_offsets[chunk]) + int(stretches.end_frame[i]))
        if end > first:
            local_first = int(stretches.first_frame[i])
            activation[first:end, speaker] += active[chunk, local_first:local_first + end - first,
                                                     stretches.local_of[i]]
    for chunk in range(n_chunks):
        first = int(chunk_offsets[chunk])
        width = max(0, min(n_frames, n_global_frames - first))
        count[first:first + width] += expected_count[chunk, :width]
        coverage[first:first + width] += 1.0
    covered = coverage > 0
    activation[covered] /= coverage[covered, None]
    count[covered] /= coverage[covered]
    speakers_per_frame = (count >= speech_threshold).astype(np.int64) + (count >= overlap_threshold)
    result = np.zeros((n_global_frames, n_speakers), dtype=bool)
    if n_speakers == 0:
        return result
    share = activation.sum(axis=0) / max(activation.sum(), 1e-12)
    score = activation + TIE_BREAK * (share[None, :] + 1e-6)
    ranked = np.argsort(-score, axis=1, kind="stable")
    rows = np.arange(n_global_frames)
    for rank in range(min(2, n_speakers)):
        speaker = ranked[:, rank]
        on = speakers_per_frame > rank
        result[rows[on], speaker[on]] = True
    return result
