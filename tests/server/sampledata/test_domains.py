"""The domains: registry, their value objects, disjoint train/holdout wording and voices, their own vocabulary,
entity kinds and channels (pure; the generated calls are checked in test_generate.py)."""
import re
import string

import numpy as np
import pytest

from adapt_server.sampledata.channel import CONDITIONS
from adapt_server.sampledata.dialogue import Dialogue
from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAIN_NAMES, DOMAINS, get_domain
from adapt_server.sampledata.entities import PII_ENTITY_TYPES, EntityType
from adapt_server.sampledata.script import MAX_SCRIPT_TURNS, MIN_SCRIPT_TURNS, compose_script
from adapt_server.sampledata.splits import SPLITS
from adapt_server.sampledata.voices import VOICE_POOLS

_SLOT = re.compile(r"\{(\w+)\}")
NEW_DOMAINS = [name for name in DOMAIN_NAMES if name != DEFAULT_DOMAIN]


def _sentences(template: str) -> set[str]:
    """The sentences of a template, lowercased, without punctuation; slots kept as placeholders."""
    parts = re.split(r"(?<=[.?!])\s+", template)
    table = str.maketrans("", "", string.punctuation.replace("{", "").replace("}", "").replace("_", ""))
    return {" ".join(part.lower().translate(table).split()) for part in parts if part.strip()}


def _bank_sentences(domain: Domain, split: str) -> set[str]:
    bank = domain.dialogue.templates[split]
    return {sentence for templates in bank.values() for t in templates for sentence in _sentences(t)}


def _script(domain: Domain, seed: int, split: str = "train", turns: tuple[int, int] = (9, 22)):
    rng = np.random.default_rng(seed)
    return compose_script(domain.draw_facts(rng), rng, split, *turns, domain.dialogue)


def test_the_registry_names_four_domains_with_telecom_the_default():
    assert DOMAIN_NAMES == ("telecom", "clinic", "bank", "logistics") and DEFAULT_DOMAIN == "telecom"
    assert all(get_domain(name).name == name for name in DOMAIN_NAMES)
    with pytest.raises(ValueError, match="unknown domain 'dentist'; use one of telecom, clinic, bank, logistics"):
        get_domain("dentist")
    telecom = get_domain("telecom")
    assert telecom.voices["train"] == VOICE_POOLS["train"] and telecom.channel.name == "narrowband"


def test_domains_are_immutable():
    clinic = get_domain("clinic")
    with pytest.raises(AttributeError):
        clinic.name = "other"
    with pytest.raises(TypeError):
        clinic.catalogue["drugs"] = ()
    with pytest.raises(TypeError):
        clinic.dialogue.templates["train"]["greeting"] = ()


def test_domains_differ_in_channel_voices_and_vocabulary():
    domains = list(DOMAINS.values())
    assert len({domain.channel.name for domain in domains}) == len(domains)
    assert all(domain.channel in CONDITIONS.values() for domain in domains)
    for index, domain in enumerate(domains):
        for other in domains[index + 1:]:
            assert not domain.vocabulary & other.vocabulary, (domain.name, other.name)
            languages = {v.espeak.name.partition("+")[0] for pool in domain.voices.values() for v in pool}
            other_languages = {v.espeak.name.partition("+")[0] for pool in other.voices.values() for v in pool}
            assert not languages & other_languages, (domain.name, other.name)  # each its own accents


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_each_domain_keeps_its_splits_apart(name):
    domain = get_domain(name)
    shared = _bank_sentences(domain, "train") & _bank_sentences(domain, "holdout")
    assert not shared, f"{name}: sentences in both splits: {sorted(shared)}"
    assert not set(domain.dialogue.issues["train"]) & set(domain.dialogue.issues["holdout"])
    train, holdout = domain.voices["train"], domain.voices["holdout"]
    assert not {v.voice_id for v in train} & {v.voice_id for v in holdout}
    assert not {v.variant for v in train} & {v.variant for v in holdout}
    if name != DEFAULT_DOMAIN:
        assert all(v.voice_id.startswith(f"{name}-{split}-") for split in SPLITS for v in domain.voices[split])


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_each_domain_templates_name_only_its_slots_and_hold_no_digits(name):
    domain = get_domain(name)
    known = set(domain.slot_names) | {"issue"}
    facts = domain.draw_facts(np.random.default_rng(0))
    assert set(facts.slots) == set(domain.slot_names)
    steps = {step.name for block in domain.dialogue.flow for step in block.steps}
    for split in SPLITS:
        assert set(domain.dialogue.templates[split]) == steps
        for templates in domain.dialogue.templates[split].values():
            for template in templates:
                assert set(_SLOT.findall(template)) <= known, template
                assert template.isascii() and not any(char.isdigit() for char in template), template


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_each_domain_scripts_nine_to_twenty_two_turns_and_its_longest_mentions_every_entity_kind(name):
    domain = get_domain(name)
    assert (domain.dialogue.min_turns, domain.dialogue.max_turns) == (MIN_SCRIPT_TURNS, MAX_SCRIPT_TURNS)
    longest = _script(domain, 3, turns=(MAX_SCRIPT_TURNS, MAX_SCRIPT_TURNS))
    kinds = {mention.entity_type for turn in longest.turns for mention in turn.entities}
    assert kinds == domain.entity_types
    for seed in range(10):
        script = _script(domain, seed, split=SPLITS[seed % 2])
        assert script.turns[0].step == "greeting" and script.turns[-1].step == "closing"
        prefix = "" if name == DEFAULT_DOMAIN else f"{name}."
        assert all(turn.template_id.startswith(f"{prefix}{script.split}.") for turn in script.turns)
        for turn in script.turns:
            assert turn.text.isascii() and not any(char.isdigit() for char in turn.text), turn.text
            for mention in turn.entities:
                assert turn.text[mention.char_start:mention.char_end] == mention.text


def test_the_new_entity_kinds_are_personal_and_each_domain_mentions_its_own():
    new = {EntityType.MEDICAL_RECORD_NUMBER, EntityType.HEALTH_PLAN_NUMBER, EntityType.TRACKING_NUMBER}
    assert new <= PII_ENTITY_TYPES
    assert not new & get_domain("telecom").entity_types
    assert {EntityType.MEDICAL_RECORD_NUMBER, EntityType.HEALTH_PLAN_NUMBER} <= get_domain("clinic").entity_types
    assert EntityType.TRACKING_NUMBER in get_domain("logistics").entity_types


def test_plain_slots_are_wording_not_entities():
    clinic = get_domain("clinic")
    facts = clinic.draw_facts(np.random.default_rng(0))
    assert facts["dose"].entity_type is None and facts["dose"].spoken.endswith("milligrams")
    script = _script(clinic, 3, turns=(MAX_SCRIPT_TURNS, MAX_SCRIPT_TURNS))
    medication = next(turn for turn in script.turns if turn.step == "give_medication")
    assert "milligrams" in medication.text
    assert not any("milligrams" in mention.text for mention in medication.entities)


def test_a_domain_refuses_unknown_slots_and_shared_voices():
    clinic = get_domain("clinic")
    fields = {field: getattr(clinic, field) for field in clinic.__dataclass_fields__}
    bad_bank = {split: dict(bank) for split, bank in clinic.dialogue.templates.items()}
    bad_bank["train"]["greeting"] = ("Hello from {nowhere}.",)
    bad_dialogue = Dialogue(clinic.dialogue.flow, bad_bank, clinic.dialogue.issues)
    with pytest.raises(ValueError, match="unknown slots"):
        Domain(**{**fields, "dialogue": bad_dialogue})
    leaky = {"train": clinic.voices["train"], "holdout": clinic.voices["holdout"] + clinic.voices["train"][:1]}
    with pytest.raises(ValueError, match="share"):
        Domain(**{**fields, "voices": leaky})
    with pytest.raises(ValueError, match="lowercase"):
        Domain(**{**fields, "name": "Clinic 2"})
