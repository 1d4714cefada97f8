"""The bank domain: a bank's card services and fraud line.

Cardholders report lost or stolen cards and charges they do not recognize at invented merchants; the agent
verifies them by the card's last four digits and date of birth, freezes the card, opens a dispute and sends
a replacement. Vocabulary: invented banks, card products and merchants among real card terms (chargeback,
provisional credit, contactless); wording: bank_wording.py; voices: Caribbean and New York English;
channel: a mobile caller (channel.MOBILE).
"""

from __future__ import annotations

import datetime

import numpy as np

from adapt_server.sampledata import catalogue as people
from adapt_server.sampledata.channel import MOBILE
from adapt_server.sampledata.dialogue import AGENT, CUSTOMER, Block, Dialogue, Step
from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains.bank_wording import ISSUES, TEMPLATES
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import (
    CallFacts,
    address,
    call_day,
    date_of_birth,
    day_in_year,
    digit_identifier,
    email,
    money,
    organization,
    person,
    phone,
    pick,
    product,
)
from adapt_server.sampledata.voices import FEMALE, MALE, pool_voice

BANKS = ("Corvanta Bank", "Halbrook Savings", "Quintara Credit Union", "Ellesmere Trust")
CARDS = (
    "Aurelis Platinum card",
    "Kestrix Rewards card",
    "Lumivault debit card",
    "Pylonne Cashback card",
    "Obrena Travel card",
)
MERCHANTS = (
    "Tessaro Electronics",
    "Brindlewood Outfitters",
    "Quokka Mart",
    "Zephyrine Travel",
    "Marlowe Fuel",
    "Halvik Home Supply",
)
AGENTS = ("Jessie", "Devon", "Kendall", "Reese", "Quinn", "Skyler", "Avery", "Peyton")  # unisex: any voice
STREETS = ("Flatbush", "Atlantic", "Kingsley", "Coral", "Mangrove", "Bayard", "Palmetto", "Hamilton")
STREET_KINDS = ("Avenue", "Street", "Boulevard", "Place")
TOWNS = ("Port Ellery", "Bridgeton", "Marigot Heights", "Eastbrook", "Saint Orla")
EMAIL_DOMAINS = (
    ("fastpost dot com", "fastpost.com"),
    ("corvanta dot net", "corvanta.net"),
    ("mailcove dot com", "mailcove.com"),
)

SLOT_NAMES = (
    "bank", "agent_first", "customer_first", "customer_full", "card", "card_last_four", "dob", "phone",
    "merchant", "charge", "charge_date", "offer_card", "annual_fee", "address", "ship_date", "email",
)


def draw_facts(rng: np.random.Generator) -> CallFacts:
    """Every slot of one bank call."""
    first, last = pick(rng, people.FIRST_NAMES), pick(rng, people.LAST_NAMES)
    day = call_day(rng)
    charged = day - datetime.timedelta(days=int(rng.integers(1, 10)))
    shipped = day + datetime.timedelta(days=int(rng.integers(2, 8)))
    card = pick(rng, CARDS)
    offers = tuple(other for other in CARDS if other != card)
    return CallFacts({
        "bank": organization(pick(rng, BANKS)),
        "agent_first": person(pick(rng, AGENTS)),
        "customer_first": person(first),
        "customer_full": person(f"{first} {last}"),
        "card": product(card),
        "card_last_four": digit_identifier(rng, ((4,),), EntityType.ACCOUNT_NUMBER),
        "dob": date_of_birth(rng),
        "phone": phone(rng),
        "merchant": organization(pick(rng, MERCHANTS)),
        "charge": money(int(rng.integers(1500, 95000))),
        "charge_date": day_in_year(charged),
        "offer_card": product(pick(rng, offers)),
        "annual_fee": money(int(rng.integers(0, 20)) * 500 + 4900),
        "address": address(rng, STREETS, STREET_KINDS, TOWNS),
        "ship_date": day_in_year(shipped),
        "email": email(rng, first, last, EMAIL_DOMAINS),
    })


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
    Block((Step("ask_charge", AGENT), Step("describe_charge", CUSTOMER)), optional=True),
    Block((Step("freeze", AGENT), Step("freeze_reply", CUSTOMER)), optional=True),
    Block((Step("resolve", AGENT),), optional=False),
    Block((Step("ask_offer", CUSTOMER), Step("answer_offer", AGENT)), optional=True),
    Block((Step("ask_address", AGENT), Step("give_address", CUSTOMER)), optional=True),
    Block((Step("ask_email", AGENT), Step("give_email", CUSTOMER)), optional=True),
    Block((Step("thanks", CUSTOMER), Step("closing", AGENT)), optional=False),
)

VOICES = {  # voice id, gender, espeak-ng voice+variant, rate (wpm), pitch, pitch range, word gap (10 ms)
    "train": (
        pool_voice("bank-train-nyc-f2", FEMALE, "en-us-nyc+f2", 160, 52, 75, 1),
        pool_voice("bank-train-caribbean-steph", FEMALE, "en-029+steph", 150, 55, 80, 2),
        pool_voice("bank-train-nyc-andrea", FEMALE, "en-us-nyc+Andrea", 155, 48, 75, 1),
        pool_voice("bank-train-nyc-m2", MALE, "en-us-nyc+m2", 160, 42, 75, 1),
        pool_voice("bank-train-caribbean-m8", MALE, "en-029+m8", 150, 45, 80, 2),
        pool_voice("bank-train-nyc-travis", MALE, "en-us-nyc+travis", 155, 50, 75, 1),
        pool_voice("bank-train-caribbean-max", MALE, "en-029+max", 150, 48, 75, 2),
    ),
    "holdout": (
        pool_voice("bank-holdout-caribbean-alicia", FEMALE, "en-029+Alicia", 150, 50, 75, 2),
        pool_voice("bank-holdout-nyc-f1", FEMALE, "en-us-nyc+f1", 160, 55, 75, 1),
        pool_voice("bank-holdout-nyc-victor", MALE, "en-us-nyc+victor", 155, 45, 80, 1),
        pool_voice("bank-holdout-caribbean-norbert", MALE, "en-029+norbert", 150, 48, 75, 2),
    ),
}

DOMAIN = Domain(
    name="bank",
    description="a bank's card services and fraud line: lost cards, unknown charges, disputes, replacements",
    catalogue={"banks": BANKS, "cards": CARDS, "merchants": MERCHANTS},
    slot_names=SLOT_NAMES,
    draw_facts=draw_facts,
    dialogue=Dialogue(FLOW, TEMPLATES, ISSUES, template_prefix="bank."),
    entity_types=frozenset({
        EntityType.ORGANIZATION, EntityType.PERSON, EntityType.ACCOUNT_NUMBER, EntityType.DATE_OF_BIRTH,
        EntityType.DATE, EntityType.PHONE_NUMBER, EntityType.MONEY, EntityType.PRODUCT, EntityType.ADDRESS,
        EntityType.EMAIL_ADDRESS,
    }),
    channel=MOBILE,
    voices=VOICES,
)
