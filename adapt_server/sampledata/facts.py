"""The personal and product details of one call, drawn from the catalogue with a seeded generator.

Each detail is a slot a template can name ("{dob}", "{account_number}"...) with its spoken form (the words
the TTS says and the transcript holds) and its canonical written form.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from adapt_server.sampledata import catalogue, spoken
from adapt_server.sampledata.entities import EntityType


@dataclass(frozen=True)
class SlotValue:
    """One detail of a call, ready to be put into a template."""

    spoken: str  # as said and transcribed, no digits: "march third, nineteen eighty four"
    value: str  # canonical written form: "1984-03-03"
    entity_type: EntityType


@dataclass(frozen=True)
class CallFacts:
    """Every slot value of one call, by slot name."""

    slots: dict[str, SlotValue]

    def __getitem__(self, slot: str) -> SlotValue:
        try:
            return self.slots[slot]
        except KeyError:
            raise KeyError(f"no slot {slot!r}; known slots: {', '.join(sorted(self.slots))}") from None


SLOT_NAMES = (
    "company", "agent_first", "customer_first", "customer_full", "account_number", "phone", "dob",
    "incident_date", "ship_date", "email", "address", "device", "plan", "addon", "amount", "addon_price",
)

_CALL_DATES_START = datetime.date(2026, 1, 15)  # calls happen on a day within a year from here
_OLDEST_BIRTH = datetime.date(1950, 1, 1)
_YOUNGEST_BIRTH = datetime.date(2003, 12, 31)


def _pick(rng: np.random.Generator, options: tuple):
    return options[int(rng.integers(len(options)))]


def _random_digits(rng: np.random.Generator, count: int, first_nonzero: bool = True) -> str:
    first = str(int(rng.integers(1 if first_nonzero else 0, 10)))
    return first + "".join(str(int(d)) for d in rng.integers(0, 10, size=count - 1))


def _capitalize_month(text: str) -> str:
    words = text.split(" ")
    return " ".join(word.capitalize() if word.rstrip(",") in spoken.MONTHS else word for word in words)


def _account_number(rng: np.random.Generator) -> SlotValue:
    groups = _pick(rng, ((4, 4), (3, 3, 3), (3, 3, 4)))
    number = _random_digits(rng, sum(groups))
    return SlotValue(spoken.grouped_digits(number, groups, zero="zero"), number, EntityType.ACCOUNT_NUMBER)


def _phone(rng: np.random.Generator) -> SlotValue:
    number = _random_digits(rng, 3) + str(int(rng.integers(2, 10))) + _random_digits(rng, 6, first_nonzero=False)
    zero = _pick(rng, ("oh", "zero"))
    return SlotValue(spoken.phone_number(number, zero), number, EntityType.PHONE_NUMBER)


def _date_of_birth(rng: np.random.Generator) -> SlotValue:
    span = (_YOUNGEST_BIRTH - _OLDEST_BIRTH).days
    born = _OLDEST_BIRTH + datetime.timedelta(days=int(rng.integers(span + 1)))
    said = _capitalize_month(spoken.full_date(born, day_first=bool(rng.random() < 0.25)))
    return SlotValue(said, born.isoformat(), EntityType.DATE_OF_BIRTH)


def _day_in_year(date: datetime.date) -> SlotValue:
    return SlotValue(_capitalize_month(spoken.month_day(date)), f"--{date.month:02d}-{date.day:02d}", EntityType.DATE)


def _email(rng: np.random.Generator, first: str, last: str) -> SlotValue:
    domain_spoken, domain_written = _pick(rng, catalogue.EMAIL_DOMAINS)
    first_l, last_l = first.lower(), last.lower()
    style = int(rng.integers(4))
    if style == 0:
        local_spoken, local_written = f"{first_l} dot {last_l}", f"{first_l}.{last_l}"
    elif style == 1:
        local_spoken, local_written = f"{first_l} underscore {last_l}", f"{first_l}_{last_l}"
    elif style == 2:
        number = _random_digits(rng, 2)
        local_spoken, local_written = f"{first_l} {last_l} {spoken.digits(number)}", f"{first_l}{last_l}{number}"
    else:
        local_spoken, local_written = f"{first_l[0]} {last_l}", f"{first_l[0]}{last_l}"
    spoken_form, written_form = f"{local_spoken} at {domain_spoken}", f"{local_written}@{domain_written}"
    return SlotValue(spoken_form, written_form, EntityType.EMAIL_ADDRESS)


def _address(rng: np.random.Generator) -> SlotValue:
    house = int(rng.integers(10, 3000))
    street = f"{_pick(rng, catalogue.STREETS)} {_pick(rng, catalogue.STREET_KINDS)}"
    town = _pick(rng, catalogue.TOWNS)
    said, written = f"{spoken.pair_number(house)} {street}", f"{house} {street}"
    if rng.random() < 0.3:
        unit = int(rng.integers(1, 40))
        said, written = f"{said}, apartment {spoken.cardinal(unit)}", f"{written}, Apt {unit}"
    return SlotValue(f"{said}, {town}", f"{written}, {town}", EntityType.ADDRESS)


def _money(cents: int) -> SlotValue:
    return SlotValue(spoken.money(cents), f"${cents // 100}.{cents % 100:02d}", EntityType.MONEY)


def _product(name: str) -> SlotValue:
    return SlotValue(name, name, EntityType.PRODUCT)


def _person(name: str) -> SlotValue:
    return SlotValue(name, name, EntityType.PERSON)


def draw_call_facts(rng: np.random.Generator) -> CallFacts:
    """Draw every slot of one call; the same generator state always gives the same facts."""
    first, last = _pick(rng, catalogue.FIRST_NAMES), _pick(rng, catalogue.LAST_NAMES)
    call_day = _CALL_DATES_START + datetime.timedelta(days=int(rng.integers(365)))
    incident = call_day - datetime.timedelta(days=int(rng.integers(2, 30)))
    visit = call_day + datetime.timedelta(days=int(rng.integers(1, 12)))
    slots = {
        "company": SlotValue(catalogue.COMPANY, catalogue.COMPANY, EntityType.ORGANIZATION),
        "agent_first": _person(_pick(rng, catalogue.AGENT_FIRST_NAMES)),
        "customer_first": _person(first),
        "customer_full": _person(f"{first} {last}"),
        "account_number": _account_number(rng),
        "phone": _phone(rng),
        "dob": _date_of_birth(rng),
        "incident_date": _day_in_year(incident),
        "ship_date": _day_in_year(visit),
        "email": _email(rng, first, last),
        "address": _address(rng),
        "device": _product(_pick(rng, catalogue.DEVICES)),
        "plan": _product(_pick(rng, catalogue.PLANS)),
        "addon": _product(_pick(rng, catalogue.ADD_ONS)),
        "amount": _money(int(rng.integers(2, 16)) * 500),
        "addon_price": _money(int(rng.integers(3, 15)) * 100 - 1),
    }
    assert set(slots) == set(SLOT_NAMES)
    return CallFacts(slots)
