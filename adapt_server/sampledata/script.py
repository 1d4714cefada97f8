"""The dialogue of one call: which steps it takes, which template each step uses, and every entity span.

A call always has a greeting, the reason for the call, identity and birth-date verification, a
resolution, thanks and a closing (9 turns); optional blocks (a hold, a callback number, when the fault
began, troubleshooting, an add-on question, a shipping address, an email) bring it up to 22 turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from adapt_server.sampledata.entities import EntityMention
from adapt_server.sampledata.facts import CallFacts
from adapt_server.sampledata.templates import ISSUES, TEMPLATES
from adapt_server.sampledata.tokens import tokenize, tokens_in_span

AGENT = "agent"
CUSTOMER = "customer"
SPEAKERS = (AGENT, CUSTOMER)
SPLITS = tuple(TEMPLATES)  # ("train", "holdout")


@dataclass(frozen=True)
class Step:
    name: str  # a key of templates.TEMPLATES[split]
    speaker: str  # AGENT or CUSTOMER


@dataclass(frozen=True)
class Block:
    steps: tuple[Step, ...]
    optional: bool


FLOW = (
    Block(
        (
            Step("greeting", AGENT),
            Step("reason", CUSTOMER),
            Step("ask_identity", AGENT),
            Step("give_identity", CUSTOMER),
            Step("ask_dob", AGENT),
            Step("give_dob", CUSTOMER),
        ),
        optional=False,
    ),
    Block((Step("hold", AGENT),), optional=True),
    Block((Step("ask_phone", AGENT), Step("give_phone", CUSTOMER)), optional=True),
    Block((Step("probe", AGENT), Step("give_date", CUSTOMER)), optional=True),
    Block((Step("troubleshoot", AGENT), Step("troubleshoot_result", CUSTOMER)), optional=True),
    Block((Step("resolve", AGENT),), optional=False),
    Block((Step("ask_addon", CUSTOMER), Step("answer_addon", AGENT)), optional=True),
    Block((Step("ask_address", AGENT), Step("give_address", CUSTOMER)), optional=True),
    Block((Step("ask_email", AGENT), Step("give_email", CUSTOMER)), optional=True),
    Block((Step("thanks", CUSTOMER), Step("closing", AGENT)), optional=False),
)
MIN_SCRIPT_TURNS = sum(len(block.steps) for block in FLOW if not block.optional)  # 9
MAX_SCRIPT_TURNS = sum(len(block.steps) for block in FLOW)  # 22

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class ScriptTurn:
    """One turn of a call script, as spoken."""

    speaker: str  # AGENT or CUSTOMER
    step: str  # the dialogue step: "greeting", "give_dob"...
    template_id: str  # "<split>.<step>.<index>": which template of templates.TEMPLATES produced it
    text: str  # what is said, written out in words (no digits)
    entities: tuple[EntityMention, ...]  # every entity span in `text`, in order


@dataclass(frozen=True)
class CallScript:
    split: str
    turns: tuple[ScriptTurn, ...]


def check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")


def render_template(template: str, facts: CallFacts, issue: str) -> tuple[str, tuple[EntityMention, ...]]:
    """Fill a template's slots; returns the turn text and an EntityMention for each filled entity slot.

    `{issue}` is plain wording, not an entity. The first letter of the turn is capitalized.
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
        if slot != "issue":
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


def _choose_blocks(rng: np.random.Generator, min_turns: int, max_turns: int) -> tuple[Block, ...]:
    if min_turns > max_turns:
        raise ValueError(f"min_turns ({min_turns}) must not exceed max_turns ({max_turns})")
    low, high = max(min_turns, MIN_SCRIPT_TURNS), min(max_turns, MAX_SCRIPT_TURNS)
    if low > high:
        raise ValueError(
            f"min_turns..max_turns = {min_turns}..{max_turns} does not overlap the scripted call lengths "
            f"{MIN_SCRIPT_TURNS}..{MAX_SCRIPT_TURNS}"
        )
    extra = int(rng.integers(low, high + 1)) - MIN_SCRIPT_TURNS
    optional = [block for block in FLOW if block.optional]
    singles = [block for block in optional if len(block.steps) == 1]
    pairs = [block for block in optional if len(block.steps) == 2]
    chosen = set()
    if extra % 2 == 1:
        chosen.add(singles[int(rng.integers(len(singles)))])
    for index in rng.permutation(len(pairs))[: extra // 2]:
        chosen.add(pairs[int(index)])
    return tuple(block for block in FLOW if not block.optional or block in chosen)


def compose_script(
    facts: CallFacts, rng: np.random.Generator, split: str, min_turns: int, max_turns: int
) -> CallScript:
    """Pick the blocks and templates of one call (between min_turns and max_turns turns) and fill them."""
    check_split(split)
    bank = TEMPLATES[split]
    issue = ISSUES[split][int(rng.integers(len(ISSUES[split])))]
    turns = []
    for block in _choose_blocks(rng, min_turns, max_turns):
        for step in block.steps:
            index = int(rng.integers(len(bank[step.name])))
            text, mentions = render_template(bank[step.name][index], facts, issue)
            turns.append(ScriptTurn(step.speaker, step.name, f"{split}.{step.name}.{index}", text, mentions))
    return CallScript(split, tuple(turns))
