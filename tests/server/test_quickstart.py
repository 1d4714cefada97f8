"""The quickstart's split step: exactly the generator's holdout calls go to holdout (pure; the quickstart
itself runs in tests/sdk/test_cli.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from adapt_server.intake.steps.base import ValidationEnv
from adapt_server.intake.steps.split import SplitStep, SplitUnit, assign_splits
from adapt_server.quickstart import split_step_for
from adapt_server.sampledata import CallInfo
from adapt_server.sampledata.generate import call_id


def _calls(root: Path, split: str, n: int, seed: int = 0) -> list[CallInfo]:
    ids = [call_id(split, seed, i) for i in range(1, n + 1)]
    return [CallInfo(i, root / "calls" / f"{i}.wav", root / "calls" / f"{i}.json", 40.0 + k, ("agent", "customer"),
                     9, split, False) for k, i in enumerate(ids)]


def test_the_split_step_holds_out_exactly_the_holdout_calls(tmp_path):
    calls = _calls(tmp_path, "train", 6) + _calls(tmp_path, "holdout", 2) + _calls(tmp_path, "train", 2, seed=7)
    step = split_step_for(calls)
    config = SplitStep.parse("pipeline[3]", {k: v for k, v in step.items() if k != "step"}, ValidationEnv())
    units = [SplitUnit(c.id, str(c.audio_path), c.duration_s, frozenset()) for c in calls]
    assert assign_splits(units, config) == {c.id: c.split for c in calls}


def test_a_folder_name_that_blurs_the_split_is_refused(tmp_path):
    calls = _calls(tmp_path / "call_holdout_runs", "train", 2) + _calls(tmp_path, "holdout", 1)
    with pytest.raises(ValueError, match="does not tell apart"):
        split_step_for(calls)
