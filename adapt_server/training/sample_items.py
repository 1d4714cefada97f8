"""Training items from generated calls (adapt_server.sampledata): one (samples, text) pair per sidecar turn.

Used by the training tests and `bench/training_bench.py`; the service builds its items from a dataset's
aligned utterances instead.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from adapt_kernels.whisper_constants import SAMPLE_RATE

from adapt_server.audio.decode import decode_audio
from adapt_server.training.features import MAX_UTTERANCE_S
from adapt_server.training.long_form import long_form_groups

EDGE_S = 0.15  # seconds of context kept around each turn


def call_items(calls: Sequence, max_items: int | None = None) -> list[tuple[np.ndarray, str]]:
    """(float32 16-kHz mono samples, text) of every turn of `calls` (CallInfo of sampledata.generate_calls)."""
    items: list[tuple[np.ndarray, str]] = []
    for call in calls:
        samples = decode_audio(Path(call.audio_path)).mono
        sidecar = json.loads(Path(call.transcript_path).read_text(encoding="utf-8"))
        for segment in sidecar["segments"]:
            first = max(0, int((segment["start"] - EDGE_S) * SAMPLE_RATE))
            last = min(samples.size, int((segment["end"] + EDGE_S) * SAMPLE_RATE))
            text = segment["text"].strip()
            if text and 0 < last - first <= MAX_UTTERANCE_S * SAMPLE_RATE:
                items.append((np.ascontiguousarray(samples[first:last], dtype=np.float32), text))
            if max_items is not None and len(items) >= max_items:
                return items
    return items



def call_windows(calls: Sequence, max_seconds: float) -> list[tuple[np.ndarray, str]]:
    """Long-form items of `calls` (training/long_form.py): (float32 16-kHz mono samples, text) of stretches of
    consecutive turns up to max_seconds, the turns' texts joined; what the service adds to a dataset's items
    (finetunes/data.py) for the `long_form_seconds` hyperparameter."""
    items: list[tuple[np.ndarray, str]] = []
    for call in calls:
        samples = decode_audio(Path(call.audio_path)).mono
        segments = [s for s in json.loads(Path(call.transcript_path).read_text(encoding="utf-8"))["segments"]
                    if s["text"].strip()]
        groups = long_form_groups([s["start"] - EDGE_S for s in segments], [s["end"] + EDGE_S for s in segments],
                                  max_seconds)
        for first, last in groups:
            start = max(0, int((segments[first]["start"] - EDGE_S) * SAMPLE_RATE))
            end = min(samples.size, int((segments[last - 1]["end"] + EDGE_S) * SAMPLE_RATE))
            items.append((np.ascontiguousarray(samples[start:end], dtype=np.float32),
                          " ".join(s["text"].strip() for s in segments[first:last])))
    return items
