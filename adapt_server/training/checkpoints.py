"""Training checkpoints: trained parameters, optimizer state and position, written atomically.

A checkpoint is one file `last.pt` in the checkpoint folder, replaced with `os.replace` (a kill -9 leaves
either the previous or the new one, never half of one). It holds a fingerprint of the run (hyperparameters,
data, base model) so a different run never resumes from it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch

CHECKPOINT_NAME = "last.pt"


@dataclass(frozen=True)
class Checkpoint:
    step: int  # optimizer steps done
    fingerprint: str  # of the run (hyperparameters, items, base model)
    parameters: dict  # name -> tensor (trainable parameters)
    optimizer: dict  # torch optimizer state_dict
    losses: list  # training loss of every step done
    elapsed_s: float  # training seconds spent before this checkpoint
    average: dict | None = None  # name -> float32 tensor: the tail average so far (training/averaging.py)
    averaged_steps: int = 0  # steps in that average


def save_checkpoint(folder: Path, checkpoint: Checkpoint) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / CHECKPOINT_NAME
    partial = folder / (CHECKPOINT_NAME + ".partial")
    torch.save({"step": checkpoint.step, "fingerprint": checkpoint.fingerprint, "parameters": checkpoint.parameters,
                "optimizer": checkpoint.optimizer, "losses": checkpoint.losses, "elapsed_s": checkpoint.elapsed_s,
                "average": checkpoint.average or {}, "averaged_steps": checkpoint.averaged_steps},
               partial)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target


def load_checkpoint(folder: Path, fingerprint: str) -> Checkpoint | None:
    """The last checkpoint of the run with this fingerprint, or None (none, another run's, or unreadable)."""
    target = folder / CHECKPOINT_NAME
    if not target.is_file():
        return None
    try:
        data = torch.load(target, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - a damaged file means starting over, not failing the job
        return None
    if data.get("fingerprint") != fingerprint:
        return None
    return Checkpoint(step=int(data["step"]), fingerprint=data["fingerprint"], parameters=data["parameters"],
                      optimizer=data["optimizer"], losses=list(data["losses"]), elapsed_s=float(data["elapsed_s"]),
                      average=data.get("average") or None, averaged_steps=int(data.get("averaged_steps", 0)))
