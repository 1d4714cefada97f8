"""Train and holdout items of a dataset: each utterance's text with its audio, cut from the recording's
normalized 16 kHz audio by the utterance's start/end.

Which split an utterance is in: the dataset's `split` column (the intake pipeline's `split` step, schema
migration 3) on the utterance or, failing that, its recording; utterances without a split are train. When the dataset holds no
utterance of the validation split and `holdout_fraction` > 0, that share of the recordings (chosen by a hash
of the recording's source URI and channel, so the same files always split the same way) is held out instead:
by recording, so no speaker's call leaks from one side to the other.

Long-form items (the `long_form_seconds` hyperparameter): after each recording's utterances, stretches of its
consecutive utterances up to that long (training/long_form.py), train split only.

Order: utterances come in (source URI, channel, index) order, never in the order of the recordings' random
ids, so that two datasets of the same files give a fine-tune the same items in the same order (its batch plan
permutes item positions: an id order made two runs of the flow test train on different batches).
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.store.datasets import UtteranceRef
from adapt_server.store.fine_tunes import NO_VALIDATION, ValidationOptions
from adapt_server.training.long_form import long_form_groups

MAX_ITEM_S = 30.0   # Whisper's window: longer utterances cannot be trained on as one item
MIN_ITEM_S = 0.2    # shorter cuts hold no word


@dataclass(frozen=True)
class TrainingData:
    train: list[tuple[np.ndarray, str]]     # (16 kHz float32 samples, reference text)
    holdout: list[tuple[np.ndarray, str]]
    skipped: int                            # utterances left out: no times in a long recording, too long/short
    holdout_source: str                     # "split:holdout", "fraction:0.2" or "none"

    @property
    def train_seconds(self) -> float:
        return sum(a.size for a, _ in self.train) / TARGET_SAMPLE_RATE


REDACTION_TAG = re.compile(r"\s*\[[A-Z][A-Z_]*\]")  # "[PERSON]", "[ACCOUNT_NUMBER]": the redact step's placeholders


def training_text(text: str) -> str:
    """The target text of an utterance: redaction placeholders removed. Their audio is muted, so the model
    must learn to write nothing there, not to write "[PERSON]" (or to invent words) over silence."""
    return " ".join(REDACTION_TAG.sub("", text).split())


def utterance_refs(store, dataset_id: str) -> list[UtteranceRef]:
    """Every usable utterance of the dataset (see `DatasetRepository.utterance_refs`) with its training text,
    those left without text dropped. store: adapt_server.store.store.Store."""
    refs = [replace(ref, text=training_text(ref.text)) for ref in store.datasets.utterance_refs(dataset_id)]
    return [ref for ref in refs if ref.text]


def assign_splits(refs: list[UtteranceRef], validation: ValidationOptions) -> tuple[list[UtteranceRef],
                                                                                   list[UtteranceRef], str]:
    """(train, holdout, holdout_source) by the rules in the module docstring."""
    if validation.split == NO_VALIDATION:
        return refs, [], "none"
    held = [r for r in refs if r.split == validation.split]
    if held:
        return [r for r in refs if r.split != validation.split and r.split in ("", "train")], held, \
            f"split:{validation.split}"
    if validation.holdout_fraction > 0:
        keys = {r.recording_id: r.recording_key for r in refs}
        recordings = sorted(keys)
        chosen = {rid for rid in recordings if _unit_hash(keys[rid]) < validation.holdout_fraction}
        if not chosen and len(recordings) > 1:  # tiny datasets: hold out at least one recording
            chosen = {min(recordings, key=lambda rid: (_unit_hash(keys[rid]), rid))}
        if len(chosen) < len(recordings):
            return [r for r in refs if r.recording_id not in chosen], [r for r in refs if r.recording_id in chosen], \
                f"fraction:{validation.holdout_fraction:g}"
    return [r for r in refs if r.split in ("", "train")], [], "none"


def load_items(blob_path, refs: list[UtteranceRef], progress=None,
               long_form_seconds: float = 0.0) -> tuple[list[tuple[np.ndarray, str]], int]:
    """Cuts each utterance's audio out of its recording (each recording read once). Returns (items, skipped).

    blob_path: sha256 -> Path of the normalized WAV; progress(done, total) is called per recording.
    long_form_seconds > 0: after a recording's utterances come its long-form items (`long_form_items`).
    """
    by_recording: dict[str, list[UtteranceRef]] = defaultdict(list)
    for ref in refs:
        by_recording[ref.recording_id].append(ref)
    items, skipped = [], 0
    for index, (recording_id, group) in enumerate(by_recording.items()):
        if progress is not None:
            progress(index, len(by_recording))
        samples, _ = read_pcm16_wav(blob_path(group[0].audio_sha256))
        for ref in group:
            cut = _cut(samples, ref, len(group))
            if cut is None:
                skipped += 1
            else:
                items.append((cut, ref.text))
        items += long_form_items(samples, group, long_form_seconds)
    return items, skipped


def long_form_items(samples: np.ndarray, refs: list[UtteranceRef],
                    max_seconds: float) -> list[tuple[np.ndarray, str]]:
    """Stretches of consecutive timed utterances of one recording (`samples`, 16 kHz), each at most max_seconds
    from its first utterance's start to its last one's end, as (samples, the utterances' texts joined) items
    (training/long_form.py). Never across an utterance left out of `refs` (flagged, or without text): its
    speech would be in the audio and not in the text."""
    timed = sorted((r for r in refs if r.start_s is not None and r.end_s is not None and r.index >= 0),
                   key=lambda r: r.index)
    if max_seconds <= 0 or len(timed) < 2:
        return []
    follows = [i > 0 and timed[i].index == timed[i - 1].index + 1 and timed[i].start_s >= timed[i - 1].start_s
               for i in range(len(timed))]
    items = []
    for first, last in long_form_groups([r.start_s for r in timed], [r.end_s for r in timed], max_seconds, follows):
        stretch = timed[first:last]
        start = max(0.0, stretch[0].start_s)
        end = min(max(r.end_s for r in stretch), samples.size / TARGET_SAMPLE_RATE)
        if end - start <= MAX_ITEM_S:
            items.append((np.ascontiguousarray(samples[int(start * TARGET_SAMPLE_RATE):int(end * TARGET_SAMPLE_RATE)],
                                               dtype=np.float32), " ".join(r.text for r in stretch)))
    return items


def _cut(samples: np.ndarray, ref: UtteranceRef, utterances_in_recording: int) -> np.ndarray | None:
    if ref.start_s is None or ref.end_s is None:
        # an untimed transcript: usable only when it is the whole of a short recording
        if utterances_in_recording != 1 or ref.recording_s > MAX_ITEM_S:
            return None
        start, end = 0.0, ref.recording_s
    else:
        start, end = max(0.0, ref.start_s), min(ref.end_s, samples.size / TARGET_SAMPLE_RATE)
    if not MIN_ITEM_S <= end - start <= MAX_ITEM_S:
        return None
    return np.ascontiguousarray(samples[int(start * TARGET_SAMPLE_RATE):int(end * TARGET_SAMPLE_RATE)],
                                dtype=np.float32)


def _unit_hash(key: str) -> float:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def split_refs(store, dataset_id: str, validation: ValidationOptions) -> tuple[list[UtteranceRef],
                                                                               list[UtteranceRef], str]:
    """(train, holdout, holdout_source) references of a dataset: what `gather` loads (and the other ranks of a
    distributed fine-tune load on their nodes)."""
    return assign_splits(utterance_refs(store, dataset_id), validation)


def gather(store, dataset_id: str, validation: ValidationOptions, progress=None,
           long_form_seconds: float = 0.0) -> TrainingData:
    """Train and holdout items of a dataset (see the module docstring); long_form_seconds > 0 adds long-form
    items to the train items (not to the holdout's: it is scored one utterance at a time)."""
    train_refs, holdout_refs, source = split_refs(store, dataset_id, validation)
    train, skipped_train = load_items(store.blobs.path, train_refs, progress, long_form_seconds)
    holdout, skipped_holdout = load_items(store.blobs.path, holdout_refs)
    return TrainingData(train, holdout, skipped_train + skipped_holdout, source)
