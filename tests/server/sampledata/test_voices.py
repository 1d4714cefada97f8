import numpy as np
import pytest

from adapt_server.sampledata.domains import DOMAIN_NAMES, get_domain
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


def _median_f0_hz(samples: np.ndarray, rate: int) -> float:
    """Median pitch of the loud 46-ms frames, by autocorrelation between 70 and 400 Hz."""
    values, frame = [], 1024
    signal = samples.astype(np.float64)
    for start in range(0, len(signal) - frame, frame):
        piece = signal[start : start + frame]
        if np.sqrt(np.mean(piece**2)) < 1500:
            continue
        correlation = np.correlate(piece, piece, "full")[frame - 1 :]
        low, high = rate // 400, rate // 70
        values.append(rate / (low + int(np.argmax(correlation[low:high]))))
    return float(np.median(values))


@pytest.mark.parametrize("name", [name for name in DOMAIN_NAMES if name != "telecom"])
def test_every_domain_voice_exists_in_espeak_and_sounds_its_gender(name):
    for voice in (voice for pool in get_domain(name).voices.values() for voice in pool):
        clip = synthesize("Thank you for calling, how can I help you today?", voice.espeak)
        pitch = _median_f0_hz(clip.samples, clip.sample_rate)
        assert (pitch > 150) if voice.gender == FEMALE else (pitch < 140), (voice.voice_id, pitch)


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_domain_calls_draw_from_the_domain_pools(name):
    pools = get_domain(name).voices
    rng = np.random.default_rng(1)
    for split in ("train", "holdout"):
        pairs = [pick_call_voices(rng, split, pools) for _ in range(100)]
        assert all(voice in pools[split] for pair in pairs for voice in pair)
        assert all(agent.variant != customer.variant for agent, customer in pairs)
