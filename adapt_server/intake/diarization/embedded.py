"""The embedded diarizer: Silero VAD + resemblyzer d-vectors + spectral clustering + resegmentation.

1. Silero VAD (the bundled ONNX model, `engines.vad`) finds speech regions.
2. 1.6-s windows on a `step_s` grid over the speech are embedded by resemblyzer's encoder in one batch.
3. Spectral clustering of the windows (`clustering.spectral_labels`); the speaker count is the eigengap's
   (within [min_speakers, max_speakers]) or the caller's `num_speakers`. A few k-means steps reassign
   windows to the nearest centroid; near-identical speakers and speakers with under `min_speaker_s` of
   windows are merged into others.
4. Resegmentation: every `frame_s` frame of speech goes to the speaker whose centroid the windows covering
   it resemble most (Hann-weighted, smoothed over `smoothing_s`), so turn boundaries are placed at frame
   resolution rather than at window steps.

Pure: float samples in, `SpeakerTurn`s out (seconds on the input's timeline), no I/O.
"""
from __future__ import annotations

import numpy as np

from adapt_server.engines.options import VadOptions
from adapt_server.engines.vad import regions_from_probabilities, shared_vad
from adapt_server.intake.diarization.clustering import (
    agglomerative_labels,
    cluster_centroids,
    merge_similar_clusters,
    merge_small_clusters,
    pool_consecutive,
    refine_labels,
    spectral_labels,
)
from adapt_server.intake.diarization.encoder import mel_spectrogram, shared_encoder
from adapt_server.intake.diarization.inputs import SAMPLE_RATE, check_speaker_counts, mono_16k, torch_threads
from adapt_server.intake.diarization.mel import FRAME_S as MEL_FRAME_S
from adapt_server.intake.diarization.options import DiarizationOptions
from adapt_server.intake.diarization.timeline import (
    active_speakers,
    frame_scores,
    speech_mask,
    turns_from_activity,
    window_starts,
)
from adapt_server.spans import SpeakerTurn

DEFAULT_OPTIONS = DiarizationOptions()
MAX_CLUSTER_ITEMS = 1500  # embeddings clustered at once (1500^3 eigendecomposition: ~1 s on one core)


def speech_regions_16k(audio16k: np.ndarray, options: DiarizationOptions) -> list[tuple[float, float]]:
    """Padded speech regions (start s, end s) of 16-kHz audio by Silero VAD with the diarizer's settings."""
    vad = VadOptions(threshold=options.vad_threshold, min_speech_s=options.vad_min_speech_s,
                     min_silence_s=options.vad_min_silence_s, speech_pad_s=options.vad_pad_s)
    probabilities = shared_vad().speech_probabilities(audio16k)
    return regions_from_probabilities(probabilities, audio16k.size / SAMPLE_RATE, vad, max_region_s=3600.0)


def diarize(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, *, num_speakers: int | None = None,
            min_speakers: int = 1, max_speakers: int = 8, options: DiarizationOptions | None = None,
            threads: int | None = None) -> list[SpeakerTurn]:
    """Who speaks when in a mono recording.

    samples: float (n_samples,) in [-1, 1] at `sample_rate` Hz (resampled to 16 kHz inside).
    num_speakers: the exact count when known; otherwise it is estimated within [min_speakers, max_speakers].
    threads: torch threads for the speaker encoder during this call (None: the process setting).
    Returns turns sorted by start, speakers "spk0", "spk1", ... in order of first speech; turns of two
    speakers overlap where both seem to talk at once; [] when there is no speech. Raises InvalidArgument
    for bad arguments (see `inputs`).
    """
    check_speaker_counts(num_speakers, min_speakers, max_speakers)
    options = options or DEFAULT_OPTIONS
    options.validate()
    audio = mono_16k(samples, sample_rate)
    duration_s = audio.size / SAMPLE_RATE
    regions = speech_regions_16k(audio, options)
    if not regions:
        return []
    starts_s = window_starts(regions, options.step_s, duration_s, options.min_window_speech)
    with torch_threads(threads):
        embeddings = shared_encoder().embed_windows(mel_spectrogram(audio),
                                                    np.round(starts_s / MEL_FRAME_S).astype(np.int64))
    return turns_from_embeddings(starts_s, embeddings, regions, duration_s, options, num_speakers=num_speakers,
                                 min_speakers=min_speakers, max_speakers=max_speakers)


def turns_from_embeddings(starts_s: np.ndarray, embeddings: np.ndarray, regions: list[tuple[float, float]],
                          duration_s: float, options: DiarizationOptions, *, num_speakers: int | None = None,
                          min_speakers: int = 1, max_speakers: int = 8) -> list[SpeakerTurn]:
    """Pure back half of `diarize`: window start seconds (n,) and their d-vectors (n, 256), the speech
    regions (seconds) and the audio's duration -> speaker turns (clustering and resegmentation)."""
    if starts_s.size == 0:
        return []
    labels = cluster_windows(embeddings, options, num_speakers, min_speakers, max_speakers)
    centroids = cluster_centroids(embeddings, labels)
    n_frames = int(np.ceil(duration_s / options.frame_s))
    scores = frame_scores(starts_s, embeddings @ centroids.T, n_frames, options.frame_s, options.smoothing_s)
    active = active_speakers(scores, speech_mask(regions, n_frames, options.frame_s), options.overlap_margin)
    return turns_from_activity(active, options.frame_s, duration_s, options.min_turn_s)


def cluster_windows(embeddings: np.ndarray, options: DiarizationOptions, num_speakers: int | None,
                    min_speakers: int, max_speakers: int,
                    max_cluster_items: int = MAX_CLUSTER_ITEMS) -> np.ndarray:
    """int (n_windows,) speaker labels of window embeddings (n_windows, 256): clustering, refinement and
    (unless the count is given) merging of near-identical speakers and of speakers with less than
    options.min_speaker_s of windows.

    Spectral clustering costs O(n^3) (an n x n eigendecomposition): above max_cluster_items windows (about
    12 min of speech at a 0.5-s step), runs of consecutive windows are averaged so that at most
    max_cluster_items are clustered; the refinement then labels every window by its nearest centroid."""
    group = max(1, -(-len(embeddings) // max_cluster_items))
    pooled = pool_consecutive(embeddings, group)
    if options.clustering == "spectral":
        p_percentile = max(options.p_percentile, 1.0 - options.affinity_neighbours / len(pooled))
        labels = spectral_labels(pooled, num_speakers=num_speakers, min_speakers=min_speakers,
                                 max_speakers=max_speakers, p_percentile=p_percentile,
                                 blur_sigma=options.blur_sigma)
    else:
        labels = agglomerative_labels(pooled, options.cluster_threshold, num_speakers=num_speakers,
                                      min_speakers=min_speakers, max_speakers=max_speakers)
    labels = np.repeat(labels, group)[:len(embeddings)]
    refined = refine_labels(embeddings, labels, options.refine_iterations)
    if num_speakers is None or refined.max() >= labels.max():  # a given count is kept
        labels = refined
    if num_speakers is None:
        labels = merge_similar_clusters(embeddings, labels, options.merge_similarity, min_speakers)
        if options.min_speaker_s > 0:
            merged = merge_small_clusters(embeddings, labels, np.full(labels.size, options.step_s),
                                          options.min_speaker_s)
            if merged.max(initial=-1) + 1 >= min_speakers:
                labels = merged
    return labels
