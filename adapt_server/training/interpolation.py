"""Interpolation chosen, not guessed (WiSE-FT, Wortsman et al. 2022): after training, the weights
base + share x (tuned - base) are scored at a grid of shares on two sets the training never saw - a validation
slice held out of the training items (the domain) and general speech (the shipped reference or the team's) -
and the share with the best domain WER whose general-speech WER regression against the base (share 0) stays
within the forgetting budget is kept.

    points = score_grid(model, base, tuned, slice_items, general_items, tokenizer, tokens, grid)   # torch
    choice = choose_interpolation(points, budget=0.05)                                            # pure

The scoring decodes greedily on the batch path (30-s log-mel windows, no timestamps, CTranslate2's token
rules) and scores with the evaluation core (Whisper English normalizer). The encoder's outputs are computed once
when training left the encoder unchanged (strategy frozen_encoder without trained blocks), so a grid point then
costs decoder passes only.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
from adapt_server.scoring.text import DEFAULT_NORMALIZER, Normalizer

DEFAULT_GRID = (0.4, 0.7, 1.0)  # shares of the change scored (the base, share 0, and the weight_interpolation
# hyperparameter are scored too); each point costs a greedy decode of every slice and reference utterance
MIN_TRAIN_ITEMS = 24  # fewer training items: no validation slice is held out and no selection runs
SLICE_FRACTION = 0.15  # of the training items held out for the selection ...
MIN_SLICE, MAX_SLICE = 6, 24  # ... at least / at most this many
MAX_NEW_TOKENS = 128
TOKENS_PER_SECOND = 6  # cap on generated tokens per second of audio (+ TOKEN_ALLOWANCE): a looping model stops
TOKEN_ALLOWANCE = 10  # there instead of at MAX_NEW_TOKENS (English speech is ~3-4 Whisper tokens per second)
DECODE_BATCH = 16


@dataclass(frozen=True)
class InterpolationPoint:
    """One share scored: WER on the domain slice and on general speech."""

    share: float  # 0 = the base model, 1 = the tuned weights
    domain_wer: float
    general_wer: float

    def general_regression(self, base_general_wer: float) -> float:
        """Relative general-speech WER change against the base (0.05 = 5% worse); inf when the base has 0 and
        this point does not."""
        if base_general_wer > 0:
            return (self.general_wer - base_general_wer) / base_general_wer
        return 0.0 if self.general_wer <= base_general_wer else math.inf


@dataclass(frozen=True)
class InterpolationChoice:
    """The chosen share and why, with the whole curve."""

    share: float
    points: tuple[InterpolationPoint, ...]  # the base (share 0) first, then the grid in increasing share
    budget: float
    within_budget: bool  # False: no share kept general speech within the budget (the least regressing is kept)
    reason: str

    @property
    def base(self) -> InterpolationPoint:
        return self.points[0]

    @property
    def chosen(self) -> InterpolationPoint:
        return next(p for p in self.points if p.share == self.share)

    def to_dict(self) -> dict:
        base_general = self.base.general_wer
        return {
            "chosen_share": self.share, "budget": self.budget, "within_budget": self.within_budget,
            "reason": self.reason, "domain_wer": self.chosen.domain_wer, "general_wer": self.chosen.general_wer,
            "base_domain_wer": self.base.domain_wer, "base_general_wer": base_general,
            "curve": [{"share": p.share, "domain_wer": p.domain_wer, "general_wer": p.general_wer,
                       "general_regression": _finite(p.general_regression(base_general))} for p in self.points],
        }


def choose_interpolation(points: Sequence[InterpolationPoint], budget: float) -> InterpolationChoice:
    """The share to keep. points: the base (share 0) and every grid share, in any order; budget: relative
    general-speech WER regression allowed (0.05 = 5%).

    Among shares > 0 whose regression is within the budget, the lowest domain WER wins (ties: the smaller
    share, the smaller change). When none is within the budget, the share with the least regression is kept
    (ties: the smaller share) and `within_budget` is False - the validation's forgetting gate then decides.
    Pure."""
    ordered = tuple(sorted(points, key=lambda p: p.share))
    if not ordered or ordered[0].share != 0:
        raise ValueError("choose_interpolation needs the base model's point (share 0)")
    base, grid = ordered[0], [p for p in ordered if p.share > 0]
    if not grid:
        raise ValueError("choose_interpolation needs at least one share > 0")
    regression = {p.share: p.general_regression(base.general_wer) for p in grid}
    within = [p for p in grid if regression[p.share] <= budget + 1e-12]
    if within:
        chosen = min(within, key=lambda p: (p.domain_wer, p.share))
        reason = (f"share {chosen.share:g}: the best domain WER ({chosen.domain_wer:.4f}, base "
                  f"{base.domain_wer:.4f}) among the shares within the forgetting budget {budget:.0%} (general-speech "
                  f"WER {chosen.general_wer:.4f} vs base {base.general_wer:.4f}, {regression[chosen.share]:+.1%})")
        return InterpolationChoice(chosen.share, ordered, budget, True, reason)
    chosen = min(grid, key=lambda p: (regression[p.share], p.share))
    reason = (f"no share kept general speech within the forgetting budget {budget:.0%}; share {chosen.share:g} "
              f"regresses least ({regression[chosen.share]:+.1%}: general-speech WER {chosen.general_wer:.4f} vs "
              f"base {base.general_wer:.4f}); the validation's forgetting gate will decide")
    return InterpolationChoice(chosen.share, ordered, budget, False, reason)


def split_selection_slice(n_items: int, seed: int) -> tuple[list[int], list[int]]:
    """(indices kept for training, indices held out for the selection), each sorted; no slice (all kept) when
    there are fewer than MIN_TRAIN_ITEMS. Drawn from the seed."""
    if n_items < MIN_TRAIN_ITEMS:
        return list(range(n_items)), []
    size = int(min(MAX_SLICE, max(MIN_SLICE, round(SLICE_FRACTION * n_items))))
    held = set(np.random.default_rng([seed, 0x5E1EC7]).permutation(n_items)[:size].tolist())
    return [i for i in range(n_items) if i not in held], sorted(held)


# --- scoring the grid (torch) --------------------------------------------------------------------------------
def score_grid(model, base: dict, tuned: dict, domain_items: Sequence, general_items: Sequence, tokenizer,
               tokens, grid: Sequence[float] = DEFAULT_GRID, batch_size: int = DECODE_BATCH,
               on_point: Callable[[int, int], None] | None = None) -> tuple[InterpolationPoint, ...]:
    """The base (share 0) and each grid share scored on both item lists ((samples, text) pairs).

    model: a WhisperForConditionalGeneration whose parameters are overwritten (left at the last share scored);
    base / tuned: parameter name -> tensor (every parameter, `strategies.base_weights`)."""
    import torch

    from adapt_server.training.features import training_features

    n_mels = model.config.num_mel_bins
    sets = {"domain": _by_length(domain_items), "general": _by_length(general_items)}  # batches end together
    features = {name: torch.from_numpy(np.stack([training_features(samples, n_mels) for samples, _ in items]))
                for name, items in sets.items()}
    texts = {name: [text for _, text in items] for name, items in sets.items()}
    caps = {name: [min(MAX_NEW_TOKENS, int(TOKENS_PER_SECOND * samples.size / 16000) + TOKEN_ALLOWANCE)
                   for samples, _ in items] for name, items in sets.items()}
    encoder_names = [name for name in base if name.startswith("model.encoder.")]
    encoder_fixed = all(torch.equal(base[name], tuned[name]) for name in encoder_names)
    encoded_once: dict[str, list] = {}
    generation = model.generation_config
    rules = dict(prompt=[tokens.sot, *tokens.task_prefix, tokens.no_timestamps],
                 suppress=list(generation.suppress_tokens or []),
                 begin_suppress=list(generation.begin_suppress_tokens or []), eot=tokens.eot,
                 timestamp_begin=tokens.timestamp_begin)
    shares = [0.0, *sorted(share for share in grid if share > 0)]
    points = []
    for index, share in enumerate(shares):
        _set_share(model, base, tuned, share)
        wers = {}
        for name in ("domain", "general"):
            if encoder_fixed and name in encoded_once:
                encoded = encoded_once[name]
            else:
                encoded = _encode(model, features[name], batch_size)
                if encoder_fixed:
                    encoded_once[name] = encoded
            hypotheses = [tokenizer.decode(ids, skip_special_tokens=True)
                          for index, chunk in enumerate(encoded)
                          for ids in _greedy(model, chunk, caps[name][index * batch_size:(index + 1) * batch_size],
                                             **rules)]
            wers[name] = corpus_wer(texts[name], hypotheses)
        points.append(InterpolationPoint(share, wers["domain"], wers["general"]))
        if on_point is not None:
            on_point(index + 1, len(shares))
    return tuple(points)


def corpus_wer(references: Sequence[str], hypotheses: Sequence[str], normalizer: str = DEFAULT_NORMALIZER) -> float:
    """(S + D + I) / N over all utterances, with the evaluation core's alignment and normalizer."""
    scores = score_utterances([TranscribedUtterance(str(i), r, h) for i, (r, h) in enumerate(zip(references, hypotheses))],
                              Normalizer(normalizer))
    words = sum(score.ref_words for score in scores)
    return sum(score.word_errors for score in scores) / words if words else math.nan


def _set_share(model, base: dict, tuned: dict, share: float) -> None:
    import torch
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            parameter.copy_(base[name] + share * (tuned[name] - base[name]))


def _encode(model, features, batch_size: int) -> list:
    import torch
    with torch.inference_mode():
        return [model.model.encoder(input_features=features[start:start + batch_size]).last_hidden_state
                for start in range(0, features.shape[0], batch_size)]


def _by_length(items: Sequence) -> list:
    return sorted(items, key=lambda item: np.asarray(item[0]).size)


def _greedy(model, encoded, caps: Sequence[int], prompt: list[int], suppress: list[int], begin_suppress: list[int],
            eot: int, timestamp_begin: int) -> list[list[int]]:
    """Greedy token ids (prompt and end token excluded) of each item of an encoded batch (batch, frames, d),
    with CTranslate2's rules: suppressed tokens never, blank/end never first, no timestamps; item i stops after
    caps[i] tokens."""
    import torch
    batch = encoded.shape[0]
    generated: list[list[int]] = [[] for _ in range(batch)]
    finished = [cap <= 0 for cap in caps]
    step_input, cache = torch.tensor([prompt] * batch, dtype=torch.long), None
    with torch.inference_mode():
        for step in range(max(caps)):
            out = model(encoder_outputs=(encoded,), decoder_input_ids=step_input, cache=cache, use_cache=True)
            cache = out.cache if "cache" in out else out.past_key_values
            logits = out.logits[:, -1, :].float()
            if suppress:
                logits[:, suppress] = -math.inf
            logits[:, timestamp_begin:] = -math.inf
            if step == 0 and begin_suppress:
                logits[:, begin_suppress] = -math.inf
            next_tokens = logits.argmax(dim=-1)
            for index, token in enumerate(next_tokens.tolist()):
                if not finished[index]:
                    if token == eot:
                        finished[index] = True
                    else:
                        generated[index].append(token)
                        finished[index] = len(generated[index]) >= caps[index]
            if all(finished):
                break
            step_input = next_tokens[:, None]
    return generated


def _finite(value: float):
    return value if math.isfinite(value) else None


def elapsed_since(started: float) -> float:
    return round(time.perf_counter() - started, 2)
