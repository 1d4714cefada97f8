"""A domain of generated calls (value object): the world the calls take place in, how they are worded, who
speaks them and how they reach the recording.

Domains differ in vocabulary (their invented product, organization and place names), wording (their own
dialogue, with train and holdout sentence banks that share no sentence), entity kinds, voices (their own
accents and espeak-ng variants; holdout voices unseen in their train calls) and channel condition. The
registry is adapt_server.sampledata.domains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from adapt_server.sampledata.channel import ChannelCondition
from adapt_server.sampledata.dialogue import Dialogue
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import CallFacts
from adapt_server.sampledata.voices import VoicePools, check_pools

_SLOT = re.compile(r"\{(\w+)\}")
_NAME = re.compile(r"[a-z]+")


@dataclass(frozen=True, eq=False)
class Domain:
    """Everything that makes one domain's calls.

    catalogue: pool name -> the domain's invented names in it ("drugs": ("Zorvastin", ...)), the words a
        generic ASR model has rarely heard; its facts are drawn from these pools.
    draw_facts: rng -> CallFacts holding every slot of slot_names; the same generator state gives the same facts.
    entity_types: the kinds of entity its calls mention (its longest call mentions each of them).
    """

    name: str  # lowercase letters: "telecom", "clinic"; part of the call ids of every domain but the default
    description: str  # one line: who calls whom about what
    catalogue: Mapping[str, tuple[str, ...]]
    slot_names: tuple[str, ...]
    draw_facts: Callable[[np.random.Generator], CallFacts]
    dialogue: Dialogue
    entity_types: frozenset[EntityType]
    channel: ChannelCondition
    voices: VoicePools  # split -> pool; the splits share no voice and no variant

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"a domain name is lowercase letters, got {self.name!r}")
        object.__setattr__(self, "catalogue", MappingProxyType(dict(self.catalogue)))
        object.__setattr__(self, "voices", MappingProxyType(dict(self.voices)))
        known = set(self.slot_names) | {"issue"}
        for split, bank in self.dialogue.templates.items():
            for step, templates in bank.items():
                for template in templates:
                    unknown = set(_SLOT.findall(template)) - known
                    if unknown:
                        raise ValueError(
                            f"{self.name} {split}.{step} names unknown slots {sorted(unknown)}: {template!r}"
                        )
        check_pools(self.voices)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every name of the catalogue."""
        return frozenset(name for pool in self.catalogue.values() for name in pool)
