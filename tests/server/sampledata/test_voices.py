import numpy as np
import pytest

from adapt_server.sampledata.espeak import synthesize
from adapt_server.sampledata.voices import FEMALE, MALE, VOICE_POOLS, pick_call_voices


def test_splits_share_no_voice_and_no_variant():
    train, holdout = VOICE_POOLS["train"], VOICE_POOLS["holdout"]
    assert not {v.voice_id for v in train} & {v.voice_id for v in holdout}
    assert not {v.variant for v in train} & {v.variant for v in holdout}
    assert not {v.espeak for v in train} & {v.espeak for v in holdout}
    for pool in (train, holdout):
        assert {v.gender for v in pool} == {FEMALE, MALE}
        assert len({v.variant for v in pool}) == len(pool)


@pytest.mark.parametrize("split", ["train", "holdout"])
def test_agent_and_customer_always_differ(split):
    rng = np.random.default_rng(0)
    pairs = [pick_call_voices(rng, split) for _ in range(200)]
    assert all(agent.variant != customer.variant for agent, customer in pairs)
    opposite = sum(agent.gender != customer.gender for agent, customer in pairs) / len(pairs)
    assert 0.6 < opposite < 0.9
    assert all(voice in VOICE_POOLS[split] for pair in pairs for voice in pair)


def test_every_pool_voice_exists_in_espeak():
    for pool in VOICE_POOLS.values():
        for voice in pool:
            assert len(synthesize("Thank you for calling.", voice.espeak).samples) > 0, voice.voice_id
