"""Shared fixtures: the realspeech corpus location and real `adapt serve` processes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALSPEECH = (REPO / ".." / "shared" / "realspeech").resolve()

os.environ.setdefault("OMP_NUM_THREADS", "1")  # tests share 2 cores with the servers they start


@pytest.fixture(scope="session")
def realspeech() -> Path:
    """../shared/realspeech, or a clean skip when this checkout has none."""
    if not (REALSPEECH / "asr" / "manifest.jsonl").is_file():
        pytest.skip("../shared/realspeech is absent")
    return REALSPEECH
