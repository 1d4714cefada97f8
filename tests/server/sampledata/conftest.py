"""Calls generated once per test session and shared by the sampledata tests."""
from __future__ import annotations

import pytest

from adapt_server.sampledata import generate_calls
from adapt_server.sampledata.script import MAX_SCRIPT_TURNS


@pytest.fixture(scope="session")
def train_calls(tmp_path_factory):
    """(out_dir, infos): three train calls, the third one stereo."""
    out = tmp_path_factory.mktemp("train")
    return out, generate_calls(out, n_calls=3, seed=11, split="train", stereo_share=1 / 3)


@pytest.fixture(scope="session")
def holdout_calls(tmp_path_factory):
    """(out_dir, infos): three holdout calls, the third one stereo."""
    out = tmp_path_factory.mktemp("holdout")
    return out, generate_calls(out, n_calls=3, seed=11, split="holdout", stereo_share=1 / 3)


@pytest.fixture(scope="session")
def longest_call(tmp_path_factory):
    """(out_dir, info): one stereo call with every optional block, hence every entity type."""
    out = tmp_path_factory.mktemp("longest")
    infos = generate_calls(out, n_calls=1, seed=5, split="train", stereo_share=1.0,
                           min_turns=MAX_SCRIPT_TURNS, max_turns=MAX_SCRIPT_TURNS)
    return out, infos[0]
