import re
import string

from adapt_server.sampledata.facts import SLOT_NAMES
from adapt_server.sampledata.templates import ISSUES, TEMPLATES

_SLOT = re.compile(r"\{(\w+)\}")


def _sentences(template: str) -> set[str]:
    """The sentences of a template, lowercased, without punctuation; slots kept as placeholders."""
    parts = re.split(r"(?<=[.?!])\s+", template)
    table = str.maketrans("", "", string.punctuation.replace("{", "").replace("}", "").replace("_", ""))
    return {" ".join(part.lower().translate(table).split()) for part in parts if part.strip()}


def _bank_sentences(split: str) -> set[str]:
    return {sentence for templates in TEMPLATES[split].values() for t in templates for sentence in _sentences(t)}


def test_both_splits_have_every_dialogue_step():
    assert set(TEMPLATES) == {"train", "holdout"}
    assert set(TEMPLATES["train"]) == set(TEMPLATES["holdout"])
    assert all(TEMPLATES[split][step] for split in TEMPLATES for step in TEMPLATES[split])


def test_train_and_holdout_share_no_sentence_and_no_issue():
    shared = _bank_sentences("train") & _bank_sentences("holdout")
    assert not shared, f"sentences in both splits: {sorted(shared)}"
    assert not set(ISSUES["train"]) & set(ISSUES["holdout"])


def test_templates_name_only_known_slots_and_hold_no_digits():
    known = set(SLOT_NAMES) | {"issue"}
    for split, bank in TEMPLATES.items():
        for step, templates in bank.items():
            for template in templates:
                assert set(_SLOT.findall(template)) <= known, (split, step, template)
                assert not any(char.isdigit() for char in template), template
                assert template.isascii(), template
