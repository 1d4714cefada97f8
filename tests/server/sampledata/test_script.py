import numpy as np
import pytest

from adapt_server.sampledata.domains import get_domain
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import draw_call_facts
from adapt_server.sampledata.script import (
    MAX_SCRIPT_TURNS,
    MIN_SCRIPT_TURNS,
    SPEAKERS,
    compose_script,
    render_template,
)
from adapt_server.sampledata.tokens import tokenize


def _script(seed, split="train", min_turns=MIN_SCRIPT_TURNS, max_turns=MAX_SCRIPT_TURNS):
    rng = np.random.default_rng(seed)
    return compose_script(draw_call_facts(rng), rng, split, min_turns, max_turns)


def test_render_template_annotates_each_filled_slot():
    facts = draw_call_facts(np.random.default_rng(0))
    text, mentions = render_template("{dob}. And call {customer_first} at {phone}, about the {issue}.", facts, "noise")
    assert text[0].isupper()
    assert [m.entity_type for m in mentions] == [EntityType.DATE_OF_BIRTH, EntityType.PERSON, EntityType.PHONE_NUMBER]
    assert "noise" in text and all("noise" not in m.text for m in mentions)
    words = tokenize(text)
    for mention in mentions:
        assert text[mention.char_start:mention.char_end] == mention.text
        covered = " ".join(words[i].text for i in mention.word_indices)
        assert covered == " ".join(token.text for token in tokenize(mention.text))


@pytest.mark.parametrize("seed", range(20))
def test_scripts_alternate_plausibly_and_spell_everything_out(seed):
    script = _script(seed)
    assert MIN_SCRIPT_TURNS <= len(script.turns) <= MAX_SCRIPT_TURNS
    assert script.turns[0].speaker == "agent" and script.turns[0].step == "greeting"
    assert script.turns[-1].step == "closing"
    for turn in script.turns:
        assert turn.speaker in SPEAKERS
        assert turn.text.isascii() and not any(char.isdigit() for char in turn.text), turn.text
        for mention in turn.entities:
            assert turn.text[mention.char_start:mention.char_end] == mention.text


def test_turn_count_follows_the_bounds():
    counts = {len(_script(seed, min_turns=12, max_turns=14).turns) for seed in range(40)}
    assert counts == {12, 13, 14}
    assert len(_script(1, min_turns=MAX_SCRIPT_TURNS, max_turns=MAX_SCRIPT_TURNS).turns) == MAX_SCRIPT_TURNS


def test_impossible_turn_bounds_are_refused_with_the_valid_range():
    with pytest.raises(ValueError, match="9..22"):
        _script(0, min_turns=30, max_turns=40)
    with pytest.raises(ValueError, match="must not exceed"):
        _script(0, min_turns=15, max_turns=12)
    with pytest.raises(ValueError, match="unknown split"):
        _script(0, split="validation")


def test_the_longest_script_mentions_every_entity_type():
    script = _script(3, min_turns=MAX_SCRIPT_TURNS, max_turns=MAX_SCRIPT_TURNS)
    types = {mention.entity_type for turn in script.turns for mention in turn.entities}
    assert types == get_domain("telecom").entity_types


def test_template_ids_come_from_the_requested_split():
    assert all(turn.template_id.startswith("holdout.") for turn in _script(2, split="holdout").turns)
