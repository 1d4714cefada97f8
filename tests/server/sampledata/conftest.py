"""Calls generated once per test session and shared by the sampledata tests."""
from __future__ import annotations

import pytest

from adapt_server.sampledata import generate_calls
from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAIN_NAMES
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


@pytest.fixture(scope="session")
def domain_calls(tmp_path_factory):
    """{domain: (out_dir, infos)} for every domain but telecom, all in one folder: two short train calls (the
    second stereo) and one short holdout call each."""
    out = tmp_path_factory.mktemp("domains")
    calls = {}
    for name in DOMAIN_NAMES:
        if name != DEFAULT_DOMAIN:
            train = generate_calls(out, n_calls=2, seed=3, split="train", stereo_share=0.5, min_turns=9,
                                   max_turns=10, domain=name)
            holdout = generate_calls(out, n_calls=1, seed=3, split="holdout", min_turns=9, max_turns=10, domain=name)
            calls[name] = (out, train + holdout)
    return calls
