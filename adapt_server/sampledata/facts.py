"""The personal and product details of one call, drawn with a seeded generator.

Each detail is a slot a template can name ("{dob}", "{account_number}"...) with its spoken form (the words
the TTS says and the transcript holds) and its canonical written form. The builders here make one kind of
value each from a domain's pools; `draw_call_facts` draws the telecom domain's call (catalogue.py), the other
domains draw theirs in adapt_server/sampledata/domains/.
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
    entity_type: EntityType | None  # None: plain wording (a dose, a depot), annotated as no entity


@dataclass(frozen=True)
class CallFacts:
    """Every slot value of one call, by slot name."""

    slots: dict[str, SlotValue]

    def __getitem__(self, slot: str) -> SlotValue:
        try:
            return self.slots[slot]
        except KeyError:
            raise KeyError(f"no slot {slot!r}; known slots: {', '.join(sorted(self.slots))}") from None


SLOT_NAMES = (  # the telecom domain's slots
    "company", "agent_first", "customer_first", "customer_full", "account_number", "phone", "dob",
    "incident_date", "ship_date", "email", "address", "device", "plan", "addon", "amount", "addon_price",
)

_CALL_DATES_START = datetime.date(2026, 1, 15)  # calls happen on a day within a year from here
_OLDEST_BIRTH = datetime.date(1950, 1, 1)
_YOUNGEST_BIRTH = datetime.date(2003, 12, 31)


def pick(rng: np.random.Generator, options: tuple):
    """One of `options`, uniformly."""
    return options[int(rng.integers(len(options)))]


def call_day(rng: np.random.Generator) -> datetime.date:
    """The day a call happens: within a year from 2026-01-15."""
    return _CALL_DATES_START + datetime.timedelta(days=int(rng.integers(365)))


def random_digits(rng: np.random.Generator, count: int, first_nonzero: bool = True) -> str:
    """`count` random decimal digits as a string."""
    first = str(int(rng.integers(1 if first_nonzero else 0, 10)))
    return first + "".join(str(int(d)) for d in rng.integers(0, 10, size=count - 1))


def capitalize_month(text: str) -> str:
    """Capitalize the month names of a spoken date: "march third" -> "March third"."""
    words = text.split(" ")
    return " ".join(word.capitalize() if word.rstrip(",") in spoken.MONTHS else word for word in words)


def digit_identifier(rng: np.random.Generator, group_options: tuple[tuple[int, ...], ...],
                     entity_type: EntityType, zero: str = "zero") -> SlotValue:
    """A number read digit by digit in groups ("four five six seven, eight one two three"); the grouping is
    drawn from `group_options` (group sizes in digits). Written form: the digits, first one non-zero."""
    groups = pick(rng, group_options)
    number = random_digits(rng, sum(groups))
    return SlotValue(spoken.grouped_digits(number, groups, zero=zero), number, entity_type)


def account_number(rng: np.random.Generator) -> SlotValue:
    """An 8-10 digit account number read in groups (telecom)."""
    return digit_identifier(rng, ((4, 4), (3, 3, 3), (3, 3, 4)), EntityType.ACCOUNT_NUMBER)


def phone(rng: np.random.Generator) -> SlotValue:
    """A North American number read 3-3-4, zero said "oh" or "zero"."""
    number = random_digits(rng, 3) + str(int(rng.integers(2, 10))) + random_digits(rng, 6, first_nonzero=False)
    zero = pick(rng, ("oh", "zero"))
    return SlotValue(spoken.phone_number(number, zero), number, EntityType.PHONE_NUMBER)


def date_of_birth(rng: np.random.Generator) -> SlotValue:
    """A birth date between 1950 and 2003: "March third, nineteen eighty four" -> "1984-03-03"."""
    span = (_YOUNGEST_BIRTH - _OLDEST_BIRTH).days
    born = _OLDEST_BIRTH + datetime.timedelta(days=int(rng.integers(span + 1)))
    said = capitalize_month(spoken.full_date(born, day_first=bool(rng.random() < 0.25)))
    return SlotValue(said, born.isoformat(), EntityType.DATE_OF_BIRTH)


def day_in_year(date: datetime.date) -> SlotValue:
    """A day without its year: "March third" -> "--03-03"."""
    return SlotValue(capitalize_month(spoken.month_day(date)), f"--{date.month:02d}-{date.day:02d}", EntityType.DATE)


def email(rng: np.random.Generator, first: str, last: str,
          domains: tuple[tuple[str, str], ...] = catalogue.EMAIL_DOMAINS) -> SlotValue:
    """first.last@domain in one of four styles; `domains` holds (spoken, written) pairs."""
    domain_spoken, domain_written = pick(rng, domains)
    first_l, last_l = first.lower(), last.lower()
    style = int(rng.integers(4))
    if style == 0:
        local_spoken, local_written = f"{first_l} dot {last_l}", f"{first_l}.{last_l}"
    elif style == 1:
        local_spoken, local_written = f"{first_l} underscore {last_l}", f"{first_l}_{last_l}"
    elif style == 2:
        number = random_digits(rng, 2)
        local_spoken, local_written = f"{first_l} {last_l} {spoken.digits(number)}", f"{first_l}{last_l}{number}"
    else:
        local_spoken, local_written = f"{first_l[0]} {last_l}", f"{first_l[0]}{last_l}"
    spoken_form, written_form = f"{local_spoken} at {domain_spoken}", f"{local_written}@{domain_written}"
    return SlotValue(spoken_form, written_form, EntityType.EMAIL_ADDRESS)


def address(
    rng: np.random.Generator,
    streets: tuple[str, ...] = catalogue.STREETS,
    street_kinds: tuple[str, ...] = catalogue.STREET_KINDS,
    towns: tuple[str, ...] = catalogue.TOWNS,
) -> SlotValue:
    """"<house> <street> <kind>[, apartment <n>], <town>", the house number said in pairs."""
    house = int(rng.integers(10, 3000))
    street = f"{pick(rng, streets)} {pick(rng, street_kinds)}"
    town = pick(rng, towns)
    said, written = f"{spoken.pair_number(house)} {street}", f"{house} {street}"
    if rng.random() < 0.3:
        unit = int(rng.integers(1, 40))
        said, written = f"{said}, apartment {spoken.cardinal(unit)}", f"{written}, Apt {unit}"
    return SlotValue(f"{said}, {town}", f"{written}, {town}", EntityType.ADDRESS)


def money(cents: int) -> SlotValue:
    """An amount in cents: "forty nine dollars and ninety nine cents" -> "$49.99"."""
    return SlotValue(spoken.money(cents), f"${cents // 100}.{cents % 100:02d}", EntityType.MONEY)


def product(name: str) -> SlotValue:
    """A product of a domain's catalogue, said and written as named."""
    return SlotValue(name, name, EntityType.PRODUCT)


def person(name: str) -> SlotValue:
    """A person's name, said and written as given."""
    return SlotValue(name, name, EntityType.PERSON)


def organization(name: str) -> SlotValue:
    """A company, practice, bank, merchant or carrier, said and written as named."""
    return SlotValue(name, name, EntityType.ORGANIZATION)


def plain(text: str) -> SlotValue:
    """Wording that varies per call but is no entity (a dose, a depot)."""
    return SlotValue(text, text, None)


def draw_call_facts(rng: np.random.Generator) -> CallFacts:
    """Draw every slot of one telecom call; the same generator state always gives the same facts."""
    first, last = pick(rng, catalogue.FIRST_NAMES), pick(rng, catalogue.LAST_NAMES)
    day = call_day(rng)
    incident = day - datetime.timedelta(days=int(rng.integers(2, 30)))
    visit = day + datetime.timedelta(days=int(rng.integers(1, 12)))
    slots = {
        "company": organization(catalogue.COMPANY),
        "agent_first": person(pick(rng, catalogue.AGENT_FIRST_NAMES)),
        "customer_first": person(first),
        "customer_full": person(f"{first} {last}"),
        "account_number": account_number(rng),
        "phone": phone(rng),
        "dob": date_of_birth(rng),
        "incident_date": day_in_year(incident),
        "ship_date": day_in_year(visit),
        "email": email(rng, first, last),
        "address": address(rng),
        "device": product(pick(rng, catalogue.DEVICES)),
        "plan": product(pick(rng, catalogue.PLANS)),
        "addon": product(pick(rng, catalogue.ADD_ONS)),
        "amount": money(int(rng.integers(2, 16)) * 500),
        "addon_price": money(int(rng.integers(3, 15)) * 100 - 1),
    }
    assert set(slots) == set(SLOT_NAMES)
    return CallFacts(slots)
