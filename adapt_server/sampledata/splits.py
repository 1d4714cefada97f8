"""The two splits of the generated data: "train" and "holdout" (unseen voices and wording)."""

from __future__ import annotations

SPLITS = ("train", "holdout")


def check_split(split: str) -> None:
    """Raise ValueError naming the splits when `split` is not one of them."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
