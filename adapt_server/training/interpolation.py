"""Interpolation chosen, not guessed (WiSE-FT, Wortsman et al. 2022): after training, the weights
base + share x (tuned - base) are scored at a grid of shares on two sets the training never saw - a validation
slice held out of the training items (the domain) and general speech (the shipped reference or the team's) -
and the share with the best domain WER whose general-speech WER regression against the base (share 0) stays
within the forgetting budget is kept.

    points = score_grid(model, base, tuned, slice_items, general_items, tokenizer, grid, work_dir)
    choice = choose_interpolation(points, budget=0.05)                                            # pure

Each share is scored as it would be served and validated: exported to CTranslate2 (the job's float16 export),
loaded in `WhisperEngine` (int8 on CPU) and decoded on the batch path (`transcribe_batch`, the default decode
options: beam 5, temperature fallback, English) with CTranslate2's sampling seed fixed as the evaluation fixes it,
then scored with the evaluation core (Whisper English normalizer). So the general-speech WER the selection keeps
within the budget is the number the validation's forgetting gate compares (it scores the same reference through
the single-utterance path). When the fine-tune left the encoder as it was (the default frozen-encoder strategy),
each window is encoded once for all shares (engines/encoder_cache.py): the same results, each share only decodes.
A first version decoded greedily in torch: it was slower than training on CPU (2.3x the training time) and
disagreed with the gate (no extra error where the served model made one).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
from adapt_server.scoring.text import DEFAULT_NORMALIZER, Normalizer

DEFAULT_GRID = (0.4, 0.7, 1.0)  # shares of the change scored (the base, share 0, and the weight_interpolation
# hyperparameter are scored too); each point costs an export and a decode of every slice and reference utterance
MIN_TRAIN_ITEMS = 24  # fewer training items: no validation slice is held out and no selection runs
SLICE_FRACTION = 0.15  # of the training items held out for the selection ...
MIN_SLICE, MAX_SLICE = 6, 24  # ... at least / at most this many
SAMPLING_SEED = 0  # CTranslate2's process-wide seed (the temperature fallback samples), as in evaluation/job.py


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


# --- scoring the grid as served ----------------------------------------------------------------------------
def score_grid(model, base: dict, tuned: dict, domain_items: Sequence, general_items: Sequence, tokenizer,
               grid: Sequence[float], work_dir: Path, compute_type: str = "int8",
               on_point: Callable[[int, int], None] | None = None) -> tuple[InterpolationPoint, ...]:
    """The base (share 0) and each grid share scored on both item lists ((samples, text) pairs).

    model: a WhisperForConditionalGeneration whose parameters are overwritten (left at the last share scored);
    base / tuned: parameter name -> tensor (every parameter, `strategies.base_weights`); work_dir: scratch space
    for one export at a time (removed). When base and tuned have the same encoder (a frozen-encoder fine-tune,
    the default), every share encodes each window as the base does: the shares share one EncoderCache, so each
    window is encoded once."""
    import shutil

    from adapt_server.engines.encoder_cache import EncoderCache

    work_dir = Path(work_dir)
    domain, general = _decode_set(domain_items), _decode_set(general_items)
    cache = EncoderCache() if same_encoder(base, tuned) else None
    shares = [0.0, *sorted({float(share) for share in grid if share > 0})]
    points = []
    for index, share in enumerate(shares):
        engine = _served_engine(model, base, tuned, share, tokenizer, work_dir, compute_type, cache)
        points.append(InterpolationPoint(share, domain.wer(engine), general.wer(engine)))
        del engine
        if on_point is not None:
            on_point(index + 1, len(shares))
    shutil.rmtree(work_dir, ignore_errors=True)
    return tuple(points)


def same_encoder(base: dict, tuned: dict) -> bool:
    """Whether every encoder parameter ("model.encoder.*") of the two weight sets is bitwise equal."""
    import torch
    names = [name for name in base if name.startswith("model.encoder.")]
    return bool(names) and all(torch.equal(base[name], tuned[name]) for name in names)


@dataclass(frozen=True)
class _DecodeSet:
    audios: tuple[np.ndarray, ...]  # float32 (n,) at 16 kHz
    texts: tuple[str, ...]

    def wer(self, engine) -> float:
        """Corpus WER of `engine` on the set: the batch path, default decode options without word timestamps,
        CTranslate2's sampling seeded first (as the evaluation job does before it decodes), so a set's score does
        not depend on what was decoded before it."""
        import ctranslate2

        from adapt_server.engines.options import DecodeOptions
        ctranslate2.set_random_seed(SAMPLING_SEED)
        hypotheses = [t.text for t in engine.transcribe_batch(list(self.audios), DecodeOptions(word_timestamps=False))]
        return corpus_wer(self.texts, hypotheses)


def _decode_set(items: Sequence) -> _DecodeSet:
    return _DecodeSet(tuple(np.asarray(samples, dtype=np.float32) for samples, _ in items),
                      tuple(text for _, text in items))


def _served_engine(model, base: dict, tuned: dict, share: float, tokenizer, work_dir: Path, compute_type: str,
                   cache):
    """The share as it would be served: the weights exported to CTranslate2 (float16, as the job exports) and
    loaded in WhisperEngine."""
    import shutil

    from adapt_server.engines.whisper import WhisperEngine
    from adapt_server.training.export import Ctranslate2Exporter, save_huggingface

    _set_share(model, base, tuned, share)
    shutil.rmtree(work_dir, ignore_errors=True)
    save_huggingface(model, tokenizer, work_dir / "hf")
    exported = Ctranslate2Exporter("float16").export(work_dir / "hf", work_dir / "ct2", force=True)
    return WhisperEngine(exported.path, f"interpolation-{share:g}", compute_type=compute_type, encoder_cache=cache)


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


def _finite(value: float):
    return value if math.isfinite(value) else None

