"""The speakers of the synthetic calls: one disjoint pool of espeak-ng voices per split.

The pools share no espeak-ng variant (the part that sets the timbre: formants, breath, roughness), so a
held-out call is spoken by voices that no training call uses. Within a call the agent and the customer
always get different variants, and usually different genders. VOICE_POOLS are the telecom domain's
(American English); every other domain has pools of its own accents and variants (domains/).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from adapt_server.sampledata.espeak import EspeakVoice
from adapt_server.sampledata.splits import SPLITS, check_split

FEMALE = "female"
MALE = "male"


@dataclass(frozen=True)
class PoolVoice:
    """A speaker a call can use."""

    voice_id: str  # stable name used in the ground truth: "train-us-f3"
    gender: str  # FEMALE or MALE (how the voice sounds)
    espeak: EspeakVoice

    @property
    def variant(self) -> str:
        """The espeak-ng variant after "+", or "" for a plain language voice."""
        return self.espeak.name.partition("+")[2]


def pool_voice(voice_id: str, gender: str, name: str, rate_wpm: int, pitch: int, pitch_range: int,
               gap: int) -> PoolVoice:
    """A PoolVoice from its espeak-ng name ("en-us+f3"), rate (wpm), pitch and range (0-99), word gap (10 ms)."""
    return PoolVoice(voice_id, gender, EspeakVoice(name, rate_wpm, pitch, pitch_range, word_gap_10ms=gap))


VoicePools = Mapping[str, tuple[PoolVoice, ...]]  # split -> the voices its calls use

# Rates of 150-160 wpm, a wide pitch range and a 10-20 ms word gap keep espeak-ng intelligible through the
# telephone band: whisper tiny.en makes real errors on these voices (about 30% WER) without drowning.
VOICE_POOLS: VoicePools = {
    "train": (  # voice id, gender, espeak-ng voice+variant, rate (wpm), pitch, pitch range, word gap (10 ms)
        pool_voice("train-us-f3", FEMALE, "en-us+f3", 155, 55, 75, 1),
        pool_voice("train-us-f4", FEMALE, "en-us+f4", 150, 58, 80, 2),
        pool_voice("train-us-annie", FEMALE, "en-us+Annie", 150, 48, 75, 1),
        pool_voice("train-us-m7", MALE, "en-us+m7", 150, 45, 80, 2),
        pool_voice("train-us-m3", MALE, "en-us+m3", 155, 38, 75, 1),
        pool_voice("train-us-klatt4", MALE, "en-us+klatt4", 155, 52, 75, 1),
        pool_voice("train-us-robert", MALE, "en-us+robert", 155, 50, 80, 2),
    ),
    "holdout": (
        pool_voice("holdout-us-f2", FEMALE, "en-us+f2", 155, 55, 75, 1),
        pool_voice("holdout-us-f5", FEMALE, "en-us+f5", 160, 50, 70, 1),
        pool_voice("holdout-us-m6", MALE, "en-us+m6", 155, 42, 75, 1),
        pool_voice("holdout-us-edward", MALE, "en-us+edward", 155, 50, 75, 2),
    ),
}

OPPOSITE_GENDER_SHARE = 0.75  # share of calls whose customer's gender differs from the agent's


def pick_call_voices(
    rng: np.random.Generator, split: str, pools: VoicePools = VOICE_POOLS
) -> tuple[PoolVoice, PoolVoice]:
    """(agent, customer) voices of one call from the split's pool of `pools` (default: telecom's); never the
    same variant."""
    check_split(split)
    pool = pools[split]
    agent = pool[int(rng.integers(len(pool)))]
    want_opposite = bool(rng.random() < OPPOSITE_GENDER_SHARE)
    candidates = [
        voice for voice in pool
        if voice.variant != agent.variant and (voice.gender != agent.gender) == want_opposite
    ]
    customer = candidates[int(rng.integers(len(candidates)))]
    return agent, customer


def check_pools(pools: VoicePools) -> None:
    """Raise ValueError unless every split has a pool with both genders and distinct variants, and no two
    splits share a voice id or a variant."""
    if set(pools) != set(SPLITS):
        raise ValueError(f"voice pools are per split ({', '.join(SPLITS)}), got {sorted(pools)}")
    for split, pool in pools.items():
        if {voice.gender for voice in pool} != {FEMALE, MALE}:
            raise ValueError(f"the {split} voice pool needs female and male voices")
        if len({voice.variant for voice in pool}) != len(pool):
            raise ValueError(f"the {split} voice pool repeats a variant")
    train, holdout = pools["train"], pools["holdout"]
    shared = ({v.variant for v in train} & {v.variant for v in holdout}) | (
        {v.voice_id for v in train} & {v.voice_id for v in holdout})
    if shared:
        raise ValueError(f"train and holdout voice pools share {sorted(shared)}")
