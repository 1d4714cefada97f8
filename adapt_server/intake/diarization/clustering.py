"""Clustering speaker embeddings into speakers with an automatic speaker count (pure numpy/scipy/sklearn).

Embeddings are float (n, d) rows in time order; distances are cosine distances (1 - cosine similarity).
- `spectral_labels` (the default): the refined affinity of Wang et al. 2018 (the d-vector diarization
  paper) and the eigengap for the speaker count.
- `agglomerative_labels`: average linkage, stopping when the closest clusters are more than a threshold
  apart.
Then `refine_labels` reassigns windows to the nearest centroid (k-means steps), `merge_similar_clusters`
joins halves of one voice, and `merge_small_clusters` folds speakers with too little speech into others.
"""
from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist


def normalize_rows(embeddings: np.ndarray) -> np.ndarray:
    """float32 (n, d): each row scaled to unit L2 norm (zero rows stay zero)."""
    rows = np.asarray(embeddings, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def agglomerative_labels(embeddings: np.ndarray, threshold: float, *, num_speakers: int | None = None,
                         min_speakers: int = 1, max_speakers: int = 8) -> np.ndarray:
    """int (n,) labels 0..k-1 of average-linkage clustering of `embeddings` (n, d) under cosine distance.

    k is the number of clusters left when the closest pair is more than `threshold` apart, clipped to
    [min_speakers, max_speakers] and to n; `num_speakers` (when given) fixes k. Labels are numbered in
    order of first appearance.
    """
    n = len(embeddings)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    rows = normalize_rows(embeddings).astype(np.float64)
    tree = linkage(pdist(rows, metric="cosine").clip(min=0.0), method="average")
    if num_speakers is None:
        k = int(np.sum(tree[:, 2] > threshold)) + 1  # merges above the threshold are left undone
        k = min(max(k, min_speakers), max_speakers)
    else:
        k = num_speakers
    k = max(1, min(k, n))
    return first_appearance_order(fcluster(tree, t=k, criterion="maxclust") - 1)


def refine_labels(embeddings: np.ndarray, labels: np.ndarray, iterations: int) -> np.ndarray:
    """Reassign each embedding to the cluster whose centroid is most similar, `iterations` times; clusters
    that lose every member disappear. Returns int (n,) labels in order of first appearance."""
    rows = normalize_rows(embeddings)
    labels = np.asarray(labels, dtype=np.int64)
    for _ in range(iterations):
        centroids = cluster_centroids(rows, labels)
        new = np.argmax(rows @ centroids.T, axis=1)
        new = first_appearance_order(new)
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def cluster_centroids(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """float32 (k, d): the unit-normalized mean embedding of each label 0..k-1 (k = labels.max() + 1)."""
    rows = normalize_rows(embeddings)
    k = int(labels.max()) + 1 if labels.size else 0
    sums = np.zeros((k, rows.shape[1]), dtype=np.float32)
    np.add.at(sums, labels, rows)
    return normalize_rows(sums)


def merge_small_clusters(embeddings: np.ndarray, labels: np.ndarray, weights: np.ndarray,
                         min_weight: float) -> np.ndarray:
    """Merges, smallest first, every cluster whose summed `weights` (e.g. seconds of speech) is below
    `min_weight` into the cluster with the most similar centroid, while more than one cluster is left."""
    labels = np.asarray(labels, dtype=np.int64).copy()
    weights = np.asarray(weights, dtype=np.float64)
    while labels.size and labels.max() > 0:
        totals = np.bincount(labels, weights=weights)
        smallest = int(np.argmin(totals))
        if totals[smallest] >= min_weight:
            break
        centroids = cluster_centroids(embeddings, labels)
        similarity = centroids @ centroids[smallest]
        similarity[smallest] = -np.inf
        labels[labels == smallest] = int(np.argmax(similarity))
        labels = first_appearance_order(labels)
    return labels


def first_appearance_order(labels: np.ndarray) -> np.ndarray:
    """int (n,) labels renumbered 0, 1, ... in the order each first occurs."""
    labels = np.asarray(labels)
    _, first_index, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.argsort(np.argsort(first_index))
    return rank[inverse.reshape(-1)].astype(np.int64)


def refined_affinity(embeddings: np.ndarray, *, p_percentile: float, blur_sigma: float) -> np.ndarray:
    """float64 (n, n) affinity of time-ordered embeddings (n, d), refined as in Wang et al. 2018 ("Speaker
    diarization with LSTM", the d-vector paper): cosine similarity with the diagonal set to each row's
    maximum, a Gaussian blur of width `blur_sigma` windows, row-wise thresholding (entries below the row's
    `p_percentile` quantile scaled by 0.01), symmetrization by max, diffusion (Y Y^T) and row-wise max
    normalization."""
    from scipy.ndimage import gaussian_filter

    rows = normalize_rows(embeddings).astype(np.float64)
    affinity = rows @ rows.T
    n = affinity.shape[0]
    np.fill_diagonal(affinity, -np.inf)
    np.fill_diagonal(affinity, affinity.max(axis=1) if n > 1 else 1.0)
    if blur_sigma > 0:
        affinity = gaussian_filter(affinity, sigma=blur_sigma, mode="nearest")
    cut = np.quantile(affinity, p_percentile, axis=1, keepdims=True)
    affinity = np.where(affinity >= cut, affinity, affinity * 0.01)
    affinity = np.maximum(affinity, affinity.T)
    affinity = affinity @ affinity.T
    return affinity / np.maximum(affinity.max(axis=1, keepdims=True), 1e-12)


def spectral_labels(embeddings: np.ndarray, *, num_speakers: int | None = None, min_speakers: int = 1,
                    max_speakers: int = 8, p_percentile: float = 0.9, blur_sigma: float = 1.0,
                    seed: int = 0) -> np.ndarray:
    """int (n,) labels of spectral clustering of time-ordered embeddings (n, d) on `refined_affinity`.

    The speaker count k maximizes the eigengap ratio lambda_k / lambda_(k+1) of the affinity's largest
    eigenvalues, within [min_speakers, max_speakers] (or is `num_speakers`); the rows of the k leading
    eigenvectors are then grouped by k-means (fixed seed: deterministic)."""
    from sklearn.cluster import KMeans

    n = len(embeddings)
    if n <= 1:
        return np.zeros(n, dtype=np.int64)
    affinity = refined_affinity(embeddings, p_percentile=p_percentile, blur_sigma=blur_sigma)
    symmetric = (affinity + affinity.T) / 2
    values, vectors = np.linalg.eigh(symmetric)
    values, vectors = values[::-1], vectors[:, ::-1]
    if num_speakers is None:
        k = estimate_speaker_count(values, min_speakers, min(max_speakers, n - 1))
    else:
        k = num_speakers
    k = max(1, min(k, n))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    features = normalize_rows(vectors[:, :k])
    labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(features)
    return first_appearance_order(labels)


def estimate_speaker_count(eigenvalues: np.ndarray, min_speakers: int, max_speakers: int) -> int:
    """k in [min_speakers, max_speakers] maximizing lambda_k / lambda_(k+1) over descending eigenvalues
    (the eigengap heuristic); values below 1e-10 count as 1e-10."""
    values = np.maximum(np.asarray(eigenvalues, dtype=np.float64), 1e-10)
    max_speakers = max(min_speakers, min(max_speakers, values.size - 1))
    if max_speakers < 1:
        return 1
    ratios = values[:max_speakers] / values[1:max_speakers + 1]
    candidates = np.arange(1, max_speakers + 1)
    allowed = candidates >= min_speakers
    return int(candidates[allowed][np.argmax(ratios[allowed])])


def merge_similar_clusters(embeddings: np.ndarray, labels: np.ndarray, min_similarity: float,
                           min_clusters: int = 1) -> np.ndarray:
    """Merges the two clusters with the most similar centroids (cosine) while that similarity is at least
    `min_similarity` and more than `min_clusters` clusters are left: the eigengap tends to split one
    speaker in two halves whose centroids are nearly the same voice."""
    labels = np.asarray(labels, dtype=np.int64).copy()
    while labels.size and labels.max() + 1 > max(1, min_clusters):
        centroids = cluster_centroids(embeddings, labels)
        similarity = centroids @ centroids.T
        np.fill_diagonal(similarity, -np.inf)
        first, second = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
        if similarity[first, second] < min_similarity:
            break
        labels[labels == max(first, second)] = min(first, second)
        labels = first_appearance_order(labels)
    return labels


def pool_consecutive(embeddings: np.ndarray, group: int) -> np.ndarray:
    """float32 (ceil(n / group), d): the unit-normalized mean of each run of `group` consecutive rows (the
    last run may be shorter); group 1 returns the rows normalized."""
    rows = normalize_rows(embeddings)
    if group <= 1 or len(rows) == 0:
        return rows
    starts = np.arange(0, len(rows), group)
    return normalize_rows(np.add.reduceat(rows, starts, axis=0))
