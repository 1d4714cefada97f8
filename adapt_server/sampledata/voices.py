"""The speakers of the synthetic calls: one disjoint pool of espeak-ng voices per split, and one disjoint pool
of neural voices (the stock TTS voices of tts/, NEURAL_POOLS) per split for `voices="neural"` or `"mixed"`.

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

    voice_id: str  # stable name used in the ground truth: "train-us-f3", "train-kokoro-jm_kumo"
    gender: str  # FEMALE or MALE (how the voice sounds)
    espeak: EspeakVoice | None  # None for a neural voice
    neural: str = ""  # a neural voice's stock TTS voice id ("piper-joe", "kokoro-jf_alpha"); "" for espeak-ng

    @property
    def variant(self) -> str:
        """What sets the timbre: the espeak-ng variant after "+" ("" for a plain language voice), or a neural
        voice's stock voice id."""
        return self.neural if self.espeak is None else self.espeak.name.partition("+")[2]


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


def neural_voice(split: str, gender: str, stock_id: str) -> PoolVoice:
    """A PoolVoice spoken by the stock TTS voice `stock_id`; its id names the split ("holdout-piper-joe")."""
    return PoolVoice(f"{split}-{stock_id}", gender, None, neural=stock_id)


# The stock neural voices (tts/catalog.py), split so that no voice is in both. Holdout gets piper-joe, the only
# voice of another engine (VITS, a US English speaker without the Kokoro packs' light Japanese accent): a held-out
# call is then spoken by a model no train call uses, the hardest and most honest test of generalization. Each
# split needs both genders and jm_kumo is the only male Kokoro pack, so it goes to train; holdout's female is
# jf_nezumi (middle of the packs' tiny.en WER, docs/voices.md), train keeps jf_alpha, jf_gongitsune, jf_tebukuro.
# The same pools serve every domain: there are no neural voices of other accents. With two voices, every
# holdout neural call has the same two speakers (in either role).
NEURAL_POOLS: VoicePools = {
    "train": (
        neural_voice("train", FEMALE, "kokoro-jf_alpha"),
        neural_voice("train", FEMALE, "kokoro-jf_gongitsune"),
        neural_voice("train", FEMALE, "kokoro-jf_tebukuro"),
        neural_voice("train", MALE, "kokoro-jm_kumo"),
    ),
    "holdout": (
        neural_voice("holdout", MALE, "piper-joe"),
        neural_voice("holdout", FEMALE, "kokoro-jf_nezumi"),
    ),
}

OPPOSITE_GENDER_SHARE = 0.75  # share of calls whose customer's gender differs from the agent's


def pick_call_voices(
    rng: np.random.Generator, split: str, pools: VoicePools = VOICE_POOLS
) -> tuple[PoolVoice, PoolVoice]:
    """(agent, customer) voices of one call from the split's pool of `pools` (default: telecom's); never the
    same variant (a pool without another voice of the wanted gender gives one of the other gender)."""
    check_split(split)
    pool = pools[split]
    agent = pool[int(rng.integers(len(pool)))]
    want_opposite = bool(rng.random() < OPPOSITE_GENDER_SHARE)
    candidates = [
        voice for voice in pool
        if voice.variant != agent.variant and (voice.gender != agent.gender) == want_opposite
    ]
    if not candidates:  # e.g. the neural holdout pool: one voice of each gender
        candidates = [voice for voice in pool if voice.variant != agent.variant]
    customer = candidates[int(rng.integers(len(candidates)))]
    return agent, customer


def pick_partner_voice(rng: np.random.Generator, split: str, partner: PoolVoice,
                       pools: VoicePools = NEURAL_POOLS) -> PoolVoice:
    """A voice of the split's pool of `pools` for the party opposite `partner` (a voice of another pool): of the
    other gender in OPPOSITE_GENDER_SHARE of the draws when the pool has one."""
    check_split(split)
    pool = pools[split]
    want_opposite = bool(rng.random() < OPPOSITE_GENDER_SHARE)
    candidates = [voice for voice in pool if (voice.gender != partner.gender) == want_opposite] or list(pool)
    return candidates[int(rng.integers(len(candidates)))]


def check_pools(pools: VoicePools) -> None:
    """Raise ValueError unless every split has a pool with both genders and distinct variants, and no two
    splits share a voice id or a variant (for neural voices: a stock voice)."""
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
