"""The dialogue of one call: which steps it takes, which template each step uses, and every entity span.

A domain's Dialogue (dialogue.py) sets the steps and the wording. The default, telecom, always has a
greeting, the reason for the call, identity and birth-date verification, a resolution, thanks and a closing
(9 turns); optional blocks (a hold, a callback number, when the fault began, troubleshooting, an add-on
question, a shipping address, an email) bring it up to 22 turns. Every domain keeps those bounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from adapt_server.sampledata.dialogue import AGENT, CUSTOMER, SPEAKERS, Block, Dialogue, Step
from adapt_server.sampledata.domains.telecom import DIALOGUE as TELECOM_DIALOGUE
from adapt_server.sampledata.entities import EntityMention
from adapt_server.sampledata.facts import CallFacts
from adapt_server.sampledata.splits import SPLITS, check_split
from adapt_server.sampledata.tokens import tokenize, tokens_in_span

__all__ = [
    "AGENT", "CUSTOMER", "SPEAKERS", "SPLITS", "Block", "CallScript", "FLOW", "MAX_SCRIPT_TURNS", "MIN_SCRIPT_TURNS",
    "ScriptTurn", "Step", "check_split", "check_turn_bounds", "compose_script", "render_template",
]

FLOW = TELECOM_DIALOGUE.flow
MIN_SCRIPT_TURNS = TELECOM_DIALOGUE.min_turns  # 9
MAX_SCRIPT_TURNS = TELECOM_DIALOGUE.max_turns  # 22

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ScriptTurn:
    """One turn of a call script, as spoken."""

    speaker: str  # AGENT or CUSTOMER
    step: str  # the dialogue step: "greeting", "give_dob"...
    template_id: str  # "[<domain>.]<split>.<step>.<index>": which template produced it (telecom: no prefix)
    text: str  # what is said, written out in words (no digits)
    entities: tuple[EntityMention, ...]  # every entity span in `text`, in order


@dataclass(frozen=True)
class CallScript:
    split: str
    turns: tuple[ScriptTurn, ...]


def render_template(template: str, facts: CallFacts, issue: str) -> tuple[str, tuple[EntityMention, ...]]:
    """Fill a template's slots; returns the turn text and an EntityMention for each filled entity slot.

    `{issue}` and slots whose value has no entity type are plain wording. The first letter of the turn is
    capitalized.
    """
    pieces: list[str] = []
    spans: list[tuple[int, int, str]] = []
    position = 0
    cursor = 0
    for match in _SLOT.finditer(template):
        literal = template[cursor : match.start()]
        pieces.append(literal)
        position += len(literal)
        slot = match.group(1)
        filling = issue if slot == "issue" else facts[slot].spoken
        if slot != "issue" and facts[slot].entity_type is not None:
            spans.append((position, position + len(filling), slot))
        pieces.append(filling)
        position += len(filling)
        cursor = match.end()
    pieces.append(template[cursor:])
    text = "".join(pieces)
    text = text[:1].upper() + text[1:]
    tokens = tokenize(text)
    mentions = tuple(
        EntityMention(
            entity_type=facts[slot].entity_type,
            text=text[start:end],
            value=facts[slot].value,
            char_start=start,
            char_end=end,
            word_indices=tokens_in_span(tokens, start, end),
        )
        for start, end, slot in spans
    )
    return text, mentions


def check_turn_bounds(min_turns: int, max_turns: int, dialogue: Dialogue = TELECOM_DIALOGUE) -> tuple[int, int]:
    """The turn range of calls within [min_turns, max_turns] that `dialogue` can script; ValueError if none."""
    if min_turns > max_turns:
        raise ValueError(f"min_turns ({min_turns}) must not exceed max_turns ({max_turns})")
    low, high = max(min_turns, dialogue.min_turns), min(max_turns, dialogue.max_turns)
    if low > high:
        raise ValueError(
            f"min_turns..max_turns = {min_turns}..{max_turns} does not overlap the scripted call lengths "
            f"{dialogue.min_turns}..{dialogue.max_turns}"
        )
    return low, high


def _choose_blocks(rng: np.random.Generator, min_turns: int, max_turns: int, dialogue: Dialogue) -> tuple[Block, ...]:
    low, high = check_turn_bounds(min_turns, max_turns, dialogue)
    extra = int(rng.integers(low, high + 1)) - dialogue.min_turns
    optional = [block for block in dialogue.flow if block.optional]
    singles = [block for block in optional if len(block.steps) == 1]
    pairs = [block for block in optional if len(block.steps) == 2]
    chosen = set()
    if extra % 2 == 1:
        chosen.add(singles[int(rng.integers(len(singles)))])
    for index in rng.permutation(len(pairs))[: extra // 2]:
        chosen.add(pairs[int(index)])
    return tuple(block for block in dialogue.flow if not block.optional or block in chosen)


def compose_script(
    facts: CallFacts,
    rng: np.random.Generator,
    split: str,
    min_turns: int,
    max_turns: int,
    dialogue: Dialogue = TELECOM_DIALOGUE,
) -> CallScript:
    """Pick the blocks and templates of one call (between min_turns and max_turns turns) of `dialogue` and
    fill them with `facts` (which must hold every slot the dialogue's templates name)."""
    check_split(split)
    bank, issues = dialogue.templates[split], dialogue.issues[split]
    issue = issues[int(rng.integers(len(issues)))]
    turns = []
    for block in _choose_blocks(rng, min_turns, max_turns, dialogue):
        for step in block.steps:
            index = int(rng.integers(len(bank[step.name])))
            text, mentions = render_template(bank[step.name][index], facts, issue)
            turns.append(ScriptTurn(step.speaker, step.name, dialogue.template_id(split, step.name, index), text,
                                    mentions))
    return CallScript(split, tuple(turns))
