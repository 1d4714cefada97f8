"""Settings of the embedded diarizer, each with its unit.

The defaults were tuned on ../shared/realspeech/diar (16 recordings; `bench/diarization_bench.py` scores them
and reports a held-out check of the tuning). Measured there (collar 0.25 s, overlap scored): spectral
clustering beat average linkage (DER 34.2% vs 37.7% at its best threshold, 0.4); a 0.5-s step beat 0.75 s
and 1.0 s (35.8%, 39.5%); subtracting the recording's mean d-vector hurt (52% at best); adding a second
speaker where two scores are close (`overlap_margin`) added more false alarm than it recovered missed
overlap, so it is off. `affinity_neighbours` and `merge_similarity` were checked on a 4-min concatenation of
four generated calls (6 espeak voices): 5 speakers found, DER 17% (with p_percentile alone: 3, DER 40%).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from adapt_server.errors import InvalidArgument

CLUSTERINGS = ("spectral", "ahc")  # see DiarizationOptions.clustering


@dataclass(frozen=True)
class DiarizationOptions:
    """How `diarize` finds speech, embeds it and clusters the embeddings into speakers."""

    vad_threshold: float = 0.35  # Silero speech probability (0..1) at or above which a 32-ms frame is speech
    vad_min_silence_s: float = 0.3  # seconds of non-speech that end a speech region
    vad_min_speech_s: float = 0.2  # seconds: shorter speech bursts are dropped
    vad_pad_s: float = 0.25  # seconds added on each side of a speech region (halved between close regions)
    step_s: float = 0.5  # seconds between the starts of consecutive 1.6-s embedding windows (a grid)
    min_window_speech: float = 0.5  # fraction of a 1.6-s window that must be speech for it to be embedded
    clustering: str = "spectral"  # "ahc" (average linkage, threshold) or "spectral" (refined affinity, eigengap)
    p_percentile: float = 0.6  # spectral: row-wise quantile below which affinities are damped ...
    affinity_neighbours: int = 30  # ... raised so that at most this many windows per row stay undamped
    #                                (long recordings: a fixed share of all windows would span many speakers)
    blur_sigma: float = 1.0  # spectral: Gaussian blur of the affinity matrix, in windows
    cluster_threshold: float = 0.4  # cosine distance at which average-linkage clustering stops merging
    refine_iterations: int = 2  # reassignments of windows to the nearest speaker centroid after clustering
    merge_similarity: float = 0.95  # speakers whose centroids are at least this similar (cosine) are merged
    min_speaker_s: float = 2.0  # seconds: a speaker with less speech is merged into the closest other one
    frame_s: float = 0.05  # seconds: resolution of the speaker decision along the timeline
    smoothing_s: float = 0.5  # seconds: width of the moving average over per-frame speaker scores
    overlap_margin: float | None = None  # a second speaker is active where its score is this close to the
    #                                     best one (cosine similarity units); None: one speaker at a time
    min_turn_s: float = 0.0  # seconds: shorter runs of one speaker are dropped

    def validate(self) -> None:
        """Raises InvalidArgument naming the first setting out of its range."""
        checks = (
            ("vad_threshold", self.vad_threshold, 0.0, 1.0),
            ("vad_min_silence_s", self.vad_min_silence_s, 0.0, 10.0),
            ("vad_min_speech_s", self.vad_min_speech_s, 0.0, 10.0),
            ("vad_pad_s", self.vad_pad_s, 0.0, 2.0),
            ("step_s", self.step_s, 0.05, 1.6),
            ("p_percentile", self.p_percentile, 0.0, 1.0),
            ("affinity_neighbours", self.affinity_neighbours, 1, 100000),
            ("blur_sigma", self.blur_sigma, 0.0, 10.0),
            ("cluster_threshold", self.cluster_threshold, 0.0, 2.0),
            ("refine_iterations", self.refine_iterations, 0, 100),
            ("merge_similarity", self.merge_similarity, -1.0, 1.0),
            ("min_speaker_s", self.min_speaker_s, 0.0, 3600.0),
            ("frame_s", self.frame_s, 0.01, 1.0),
            ("smoothing_s", self.smoothing_s, 0.0, 10.0),
            ("min_window_speech", self.min_window_speech, 0.0, 1.0),
            ("overlap_margin", 0.0 if self.overlap_margin is None else self.overlap_margin, 0.0, 2.0),
            ("min_turn_s", self.min_turn_s, 0.0, 10.0),
        )
        if self.clustering not in CLUSTERINGS:
            raise InvalidArgument(f"diarization option clustering must be one of {CLUSTERINGS}, got "
                                  f"{self.clustering!r}")
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not low <= value <= high:
                raise InvalidArgument(f"diarization option {name} must be in [{low}, {high}], got {value!r}")
