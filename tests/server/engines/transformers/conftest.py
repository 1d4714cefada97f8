"""Fixtures of the transformers-backend tests: tiny random checkpoints of each family (made once per session,
offline) and a short synthetic utterance. Random weights: outputs are gibberish, so the tests check exact
agreement with transformers' own decoding and invariants, never accuracy."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

from testkit.tiny_checkpoints import TinyCheckpoints  # noqa: E402

RECOGNIZER_FAMILIES = ("qwen3_asr", "voxtral", "voxtral_realtime", "cohere_asr", "whisper")
TEST_THREADS = 1  # tiny models: one thread is fastest and leaves the second core to the rest
torch.set_num_threads(TEST_THREADS)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> TinyCheckpoints:
    """tiny(family) -> the directory of that family's tiny checkpoint (made on first use)."""
    return TinyCheckpoints(tmp_path_factory.mktemp("tiny-checkpoints"))


@pytest.fixture(scope="session")
def recognizers(tiny):
    """recognizers(family) -> one loaded recognizer per family, shared by the tests."""
    from adapt_server.engines.transformers import load_transformers_recognizer
    loaded = {}

    def get(family: str):
        if family not in loaded:
            loaded[family] = load_transformers_recognizer(f"tiny-{family}", tiny(family), threads=TEST_THREADS)
        return loaded[family]

    return get


@pytest.fixture(scope="session")
def utterance() -> np.ndarray:
    """A spoken sentence (espeak-ng, 16 kHz float32) with 0.3 s of silence around it, about 3 s long."""
    from scipy.signal import resample_poly

    from adapt_server.sampledata.espeak import EspeakVoice, synthesize
    clip = synthesize("The birch canoe slid on the smooth planks.", EspeakVoice("en-us"))
    samples = resample_poly(clip.samples.astype(np.float32) / 32768, 160, 441).astype(np.float32)
    silence = np.zeros(int(0.3 * 16000), dtype=np.float32)
    return np.concatenate([silence, samples, silence])


@pytest.fixture(scope="session")
def clips(utterance) -> list[np.ndarray]:
    """Three clips of different lengths (1.5, 2.5 s of seeded noise and the utterance)."""
    rng = np.random.default_rng(0)
    return [rng.normal(0, 0.05, int(16000 * seconds)).astype(np.float32) for seconds in (1.5, 2.5)] + [utterance]
