"""The speakers of the synthetic calls: one disjoint pool of espeak-ng voices per split.

The pools share no espeak-ng variant (the part that sets the timbre: formants, breath, roughness), so a
held-out call is spoken by voices that no training call uses. Within a call the agent and the customer
always get different variants, and usually different genders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.sampledata.espeak import EspeakVoice
from adapt_server.sampledata.script import check_split

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


VOICE_POOLS: dict[str, tuple[PoolVoice, ...]] = {
    "train": (
        PoolVoice("train-us-f3", FEMALE, EspeakVoice("en-us+f3", rate_wpm=160, pitch=55, pitch_range=60)),
        PoolVoice("train-us-annie", FEMALE, EspeakVoice("en-us+Annie", rate_wpm=155, pitch=50, pitch_range=55)),
        PoolVoice("train-rp-f4", FEMALE, EspeakVoice("en-gb-x-rp+f4", rate_wpm=160, pitch=60, pitch_range=50)),
        PoolVoice("train-us-m5", MALE, EspeakVoice("en-us+m5", rate_wpm=165, pitch=40, pitch_range=50)),
        PoolVoice("train-us-klatt4", MALE, EspeakVoice("en-us+klatt4", rate_wpm=160, pitch=45, pitch_range=55)),
        PoolVoice("train-us-robert", MALE, EspeakVoice("en-us+robert", rate_wpm=165, pitch=50, pitch_range=50)),
    ),
    "holdout": (
        PoolVoice("holdout-us-f2", FEMALE, EspeakVoice("en-us+f2", rate_wpm=160, pitch=55, pitch_range=55)),
        PoolVoice("holdout-us-steph", FEMALE, EspeakVoice("en-us+steph", rate_wpm=155, pitch=50, pitch_range=60)),
        PoolVoice("holdout-us-edward", MALE, EspeakVoice("en-us+edward", rate_wpm=165, pitch=45, pitch_range=50)),
        PoolVoice("holdout-rp-m7", MALE, EspeakVoice("en-gb-x-rp+m7", rate_wpm=160, pitch=40, pitch_range=55)),
    ),
}

OPPOSITE_GENDER_SHARE = 0.75  # share of calls whose customer's gender differs from the agent's


def pick_call_voices(rng: np.random.Generator, split: str) -> tuple[PoolVoice, PoolVoice]:
    """(agent, customer) voices of one call from the split's pool; never the same variant."""
    check_split(split)
    pool = VOICE_POOLS[split]
    agent = pool[int(rng.integers(len(pool)))]
    want_opposite = bool(rng.random() < OPPOSITE_GENDER_SHARE)
    candidates = [
        voice for voice in pool
        if voice.variant != agent.variant and (voice.gender != agent.gender) == want_opposite
    ]
    customer = candidates[int(rng.integers(len(candidates)))]
    return agent, customer
