"""The shape and wording of a domain's calls (value objects): which steps a call takes, and the sentence
templates of every step per split.

A call is a sequence of blocks; the required blocks make the shortest call, the optional ones (single turns
and two-turn exchanges) lengthen it. A template is a turn with `{slot}` placeholders, filled from the call's
facts, plus `{issue}`, filled from the split's issue phrases (plain wording, not an entity).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from adapt_server.sampledata.splits import SPLITS

AGENT = "agent"
CUSTOMER = "customer"
SPEAKERS = (AGENT, CUSTOMER)


@dataclass(frozen=True)
class Step:
    name: str  # a key of the dialogue's templates[split]: "greeting", "give_dob"...
    speaker: str  # AGENT or CUSTOMER


@dataclass(frozen=True)
class Block:
    steps: tuple[Step, ...]
    optional: bool


@dataclass(frozen=True, eq=False)
class Dialogue:
    """Flow and wording of one domain's calls.

    templates: split -> step name -> sentence templates; the splits share no sentence.
    issues: split -> phrases `{issue}` is filled with (one drawn per call); the splits share none.
    template_prefix: put before "<split>.<step>.<index>" in template ids ("" or "clinic.").
    """

    flow: tuple[Block, ...]
    templates: Mapping[str, Mapping[str, tuple[str, ...]]]
    issues: Mapping[str, tuple[str, ...]]
    template_prefix: str = ""

    def __post_init__(self) -> None:
        frozen = {split: MappingProxyType(dict(bank)) for split, bank in self.templates.items()}
        object.__setattr__(self, "templates", MappingProxyType(frozen))
        object.__setattr__(self, "issues", MappingProxyType(dict(self.issues)))
        steps = {step.name for block in self.flow for step in block.steps}
        for split in SPLITS:
            if split not in self.templates or split not in self.issues:
                raise ValueError(f"a dialogue needs templates and issues for every split ({', '.join(SPLITS)})")
            missing = sorted(steps - set(self.templates[split]))
            if missing:
                raise ValueError(f"{split} templates lack the steps {', '.join(missing)}")
        if any(len(block.steps) not in (1, 2) for block in self.flow if block.optional):
            raise ValueError("optional blocks are single turns or two-turn exchanges")
        if not any(len(b.steps) == 1 for b in self.flow if b.optional):
            raise ValueError("a dialogue needs an optional single-turn block (calls of every length in range)")

    @property
    def min_turns(self) -> int:
        """Turns of the shortest call: the required blocks."""
        return sum(len(block.steps) for block in self.flow if not block.optional)

    @property
    def max_turns(self) -> int:
        """Turns of the longest call: every block."""
        return sum(len(block.steps) for block in self.flow)

    def template_id(self, split: str, step: str, index: int) -> str:
        """"[<prefix>]<split>.<step>.<index>": which template produced a turn."""
        return f"{self.template_prefix}{split}.{step}.{index}"
