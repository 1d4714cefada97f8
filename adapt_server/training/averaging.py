"""Tail averaging of the trained weights (Polyak-Ruppert / SWA over the last steps; pure torch, no I/O).

The weights after the last optimizer step depend on the order of the last few batches; their mean over the
last share of the steps does much less (Izmailov et al. 2018, "Averaging weights leads to wider optima").
`TailAverage` keeps a running mean of the trainable parameters over the steps of that window, in float32;
the trainer copies it into the model when training ends.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import torch


def first_averaged_step(total_steps: int, share: float) -> int:
    """The 0-based optimizer step from which the weights join the mean: the last ceil(share x total_steps)
    steps (at least the last one); total_steps when share is 0 (no averaging)."""
    if share <= 0.0 or total_steps <= 0:
        return total_steps
    return total_steps - max(1, math.ceil(share * total_steps))


class TailAverage:
    """The running mean (float32, on the parameters' device) of named tensors over the steps added so far."""

    def __init__(self, mean: Mapping[str, torch.Tensor] | None = None, steps: int = 0):
        self.mean = {name: value.detach().float().clone() for name, value in (mean or {}).items()}
        self.steps = steps

    def add(self, parameters: Mapping[str, torch.Tensor]) -> None:
        """Folds in one step's parameters: mean += (value - mean) / steps."""
        self.steps += 1
        with torch.no_grad():
            for name, value in parameters.items():
                value = value.detach().float()
                if name not in self.mean:
                    self.mean[name] = value.clone()
                else:
                    self.mean[name].add_(value - self.mean[name], alpha=1.0 / self.steps)

    def copy_into(self, parameters: Mapping[str, torch.Tensor]) -> None:
        """Sets each named parameter to its mean (in its own dtype); nothing when no step was added."""
        if self.steps == 0:
            return
        with torch.no_grad():
            for name, value in parameters.items():
                value.copy_(self.mean[name].to(device=value.device, dtype=value.dtype))
