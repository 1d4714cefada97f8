"""Training items as tensors: 30-s log-mel features, label sequences, the seeded batch plan, SpecAugment.

Everything random here is a pure function of the seed (and of the step for SpecAugment), so a run that is
resumed from a checkpoint at step k draws exactly what an uninterrupted run draws from step k on.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from adapt_kernels.whisper_constants import SAMPLE_RATE

from adapt_server.errors import InvalidArgument
from adapt_server.training.features import MAX_UTTERANCE_S, training_features
from adapt_server.training.hyperparameters import Hyperparameters
from adapt_server.training.labels import IGNORE, SpecialTokens, label_sequence

Item = tuple[np.ndarray, str]  # (float32 16-kHz mono samples, transcript)
_TIMESTAMP_STREAM = 1  # seed streams: which items carry timestamps
_MIXIN_STREAM = 2  # mix-in draws
_SPEC_AUGMENT_STREAM = 3
# SpecAugment (Park et al. 2019, LibriSpeech-basic policy): masks per item and their widest width
FREQ_MASKS, FREQ_MASK_BINS = 2, 27
TIME_MASKS, TIME_MASK_FRAMES, TIME_MASK_SHARE = 2, 100, 0.2  # a time mask covers at most 20% of the speech


@dataclass(frozen=True)
class Example:
    """One featurized item."""

    features: np.ndarray  # float32 (n_mels, 3000)
    inputs: tuple[int, ...]  # decoder input ids
    targets: tuple[int, ...]  # next-token targets (IGNORE where no loss), same length
    frames: int  # log-mel frames of real audio (<= 3000)


def check_items(items: Sequence[Item], what: str) -> None:
    """InvalidArgument naming the first unusable item (empty text, not mono float audio, longer than 30 s)."""
    for index, item in enumerate(items):
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidArgument(f"{what}[{index}] must be a (samples, text) pair")
        samples, text = item
        samples = np.asarray(samples)
        if samples.ndim != 1 or not np.issubdtype(samples.dtype, np.floating) or samples.size == 0:
            raise InvalidArgument(f"{what}[{index}] audio must be non-empty mono float samples at 16 kHz; "
                                  f"got shape {samples.shape}, dtype {samples.dtype}")
        if samples.size > MAX_UTTERANCE_S * SAMPLE_RATE:
            raise InvalidArgument(f"{what}[{index}] is {samples.size / SAMPLE_RATE:.1f} s long; training "
                                  f"utterances must be at most {MAX_UTTERANCE_S:.0f} s (cut them at pauses)")
        if not isinstance(text, str) or not text.strip():
            raise InvalidArgument(f"{what}[{index}] has an empty transcript")


def featurize(items: Sequence[Item], tokenizer, tokens: SpecialTokens, n_mels: int, timestamp_ratio: float,
              seed: int, on_item: Callable[[int, int], None] | None = None) -> list[Example]:
    """Examples of `items` in order; which items carry timestamp tokens is drawn from the seed."""
    rng = np.random.default_rng([seed, _TIMESTAMP_STREAM])
    with_timestamps = rng.random(len(items)) < timestamp_ratio
    examples = []
    for index, (samples, text) in enumerate(items):
        samples = np.ascontiguousarray(samples, dtype=np.float32)
        inputs, targets = label_sequence(tokenizer, tokens, text, samples, bool(with_timestamps[index]))
        examples.append(Example(features=training_features(samples, n_mels), inputs=tuple(inputs),
                                targets=tuple(targets), frames=min(3000, samples.size // 160)))
        if on_item is not None:
            on_item(index + 1, len(items))
    return examples


@dataclass(frozen=True)
class BatchPlan:
    """Which examples each optimizer step uses: domain indices and mix-in indices."""

    steps: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]  # per step: (domain ids, mix-in ids)
    steps_per_epoch: int

    @property
    def total_steps(self) -> int:
        return len(self.steps)


def plan_batches(n_items: int, n_mixin: int, hp: Hyperparameters) -> BatchPlan:
    """Seeded plan: each epoch a fresh permutation of the domain items, cut into steps of
    round(accumulated_batch * (1 - mixin_ratio)) items, each topped up with mix-in items drawn at random."""
    per_step = hp.accumulated_batch
    mixin_per_step = int(round(per_step * hp.mixin_ratio)) if n_mixin else 0
    domain_per_step = max(1, per_step - mixin_per_step)
    steps_per_epoch = math.ceil(n_items / domain_per_step)
    total = hp.epochs * steps_per_epoch
    if hp.max_steps:
        total = min(total, hp.max_steps)
    mixin_rng = np.random.default_rng([hp.seed, _MIXIN_STREAM])
    steps = []
    for step in range(total):
        epoch, position = divmod(step, steps_per_epoch)
        order = np.random.default_rng([hp.seed, epoch]).permutation(n_items)
        domain = tuple(int(i) for i in order[position * domain_per_step:(position + 1) * domain_per_step])
        mixin = tuple(int(i) for i in mixin_rng.choice(n_mixin, size=min(mixin_per_step, n_mixin), replace=False)) \
            if mixin_per_step else ()
        steps.append((domain, mixin))
    return BatchPlan(steps=tuple(steps), steps_per_epoch=steps_per_epoch)


def collate(examples: Sequence[Example], pad_id: int) -> dict[str, torch.Tensor]:
    """Stacks examples: input_features (B, n_mels, 3000), decoder_input_ids / labels (B, L) right-padded."""
    length = max(len(example.inputs) for example in examples)
    inputs = torch.full((len(examples), length), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), length), IGNORE, dtype=torch.long)
    for row, example in enumerate(examples):
        inputs[row, :len(example.inputs)] = torch.tensor(example.inputs)
        labels[row, :len(example.targets)] = torch.tensor(example.targets)
    features = torch.from_numpy(np.stack([example.features for example in examples]))
    return {"input_features": features, "decoder_input_ids": inputs, "labels": labels}


def spec_augment(features: torch.Tensor, frames: Sequence[int], seed: int, step: int) -> torch.Tensor:
    """A copy of features (B, n_mels, T) with FREQ_MASKS frequency and TIME_MASKS time masks per item, set to
    the item's mean; time masks fall inside the item's speech (its first `frames` frames). Seeded by (seed, step)."""
    rng = np.random.default_rng([seed, _SPEC_AUGMENT_STREAM, step])
    out = features.clone()
    n_mels = features.shape[1]
    for row, speech_frames in enumerate(frames):
        fill = float(out[row, :, :max(1, speech_frames)].mean())
        for _ in range(FREQ_MASKS):
            width = int(rng.integers(0, FREQ_MASK_BINS + 1))
            start = int(rng.integers(0, max(1, n_mels - width)))
            out[row, start:start + width, :] = fill
        widest = min(TIME_MASK_FRAMES, int(TIME_MASK_SHARE * speech_frames))
        for _ in range(TIME_MASKS):
            width = int(rng.integers(0, widest + 1))
            start = int(rng.integers(0, max(1, speech_frames - width)))
            out[row, :, start:start + width] = fill
    return out
