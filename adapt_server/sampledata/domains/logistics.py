"""The logistics domain: a parcel carrier's delivery helpline.

Customers chase late, misdelivered or damaged parcels from invented retailers; the agent finds the parcel by
its tracking number, checks the delivery address, reads the scan history at invented depots and books a
redelivery or a paid upgrade. Vocabulary: invented carriers, retailers, depots and delivery services;
wording: logistics_wording.py; voices: Lancashire and West Midlands English; channel: a wideband softphone
with packet loss on the caller's leg (channel.VOIP_WIDEBAND).
"""

from __future__ import annotations

import datetime

import numpy as np

from adapt_server.sampledata import catalogue as people
from adapt_server.sampledata.channel import VOIP_WIDEBAND
from adapt_server.sampledata.dialogue import AGENT, CUSTOMER, Block, Dialogue, Step
from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains.logistics_wording import ISSUES, TEMPLATES
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import (
    CallFacts,
    address,
    call_day,
    day_in_year,
    digit_identifier,
    email,
    money,
    organization,
    person,
    phone,
    pick,
    plain,
    product,
)
from adapt_server.sampledata.voices import FEMALE, MALE, pool_voice

CARRIERS = ("Trundle Freight", "Parcelyn Express", "Skelligan Couriers", "Ostara Logistics")
RETAILERS = ("Brambleworth Home", "Vintaro Outdoor", "Kelpie and Finch", "Norrland Furnishings", "Gildenmoor Books")
DEPOTS = (
    "Dunmere sorting hub",
    "Brackwater depot",
    "Pellow Cross depot",
    "Ashgrove parcel center",
    "Kittering freight yard",
)
SERVICES = ("NextDay Priority", "Freightline Economy", "TimeSlot Plus", "ParcelSafe locker delivery")
SAFE_PLACES = ("behind the side gate", "in the porch", "with my neighbour next door", "in the recycling shed")
AGENTS = ("Ashley", "Billie", "Terry", "Lesley", "Danny", "Kerry", "Stevie", "Nicky")  # unisex: any voice
STREETS = ("Moorside", "Canal", "Foundry", "Mill", "Kestrel", "Tannery", "Weaver", "Holly")
STREET_KINDS = ("Close", "Crescent", "Road", "Lane", "Row")
TOWNS = ("Dunmere", "Oldcastle", "Brackwater", "Hebden Vale", "Wyreford")
EMAIL_DOMAINS = (
    ("netpost dot com", "netpost.com"),
    ("hollymail dot net", "hollymail.net"),
    ("parcelyn dot com", "parcelyn.com"),
)

SLOT_NAMES = (
    "carrier", "agent_first", "customer_first", "customer_full", "tracking_number", "retailer", "address",
    "phone", "depot", "scan_date", "delivery_date", "collect_date", "safe_place", "service", "service_fee",
    "refund", "email",
)


def draw_facts(rng: np.random.Generator) -> CallFacts:
    """Every slot of one logistics call."""
    first, last = pick(rng, people.FIRST_NAMES), pick(rng, people.LAST_NAMES)
    day = call_day(rng)
    scanned = day - datetime.timedelta(days=int(rng.integers(1, 9)))
    delivery = day + datetime.timedelta(days=int(rng.integers(1, 5)))
    collect = day + datetime.timedelta(days=int(rng.integers(1, 4)))
    return CallFacts({
        "carrier": organization(pick(rng, CARRIERS)),
        "agent_first": person(pick(rng, AGENTS)),
        "customer_first": person(first),
        "customer_full": person(f"{first} {last}"),
        "tracking_number": digit_identifier(rng, ((4, 4, 4), (3, 3, 3, 3)), EntityType.TRACKING_NUMBER),
        "retailer": organization(pick(rng, RETAILERS)),
        "address": address(rng, STREETS, STREET_KINDS, TOWNS),
        "phone": phone(rng),
        "depot": plain(pick(rng, DEPOTS)),
        "scan_date": day_in_year(scanned),
        "delivery_date": day_in_year(delivery),
        "collect_date": day_in_year(collect),
        "safe_place": plain(pick(rng, SAFE_PLACES)),
        "service": product(pick(rng, SERVICES)),
        "service_fee": money(int(rng.integers(3, 13)) * 100 - 1),
        "refund": money(int(rng.integers(2, 10)) * 250),
        "email": email(rng, first, last, EMAIL_DOMAINS),
    })


FLOW = (
    Block(
        (
            Step("greeting", AGENT),
            Step("reason", CUSTOMER),
            Step("ask_identity", AGENT),
            Step("give_identity", CUSTOMER),
            Step("ask_address", AGENT),
            Step("give_address", CUSTOMER),
        ),
        optional=False,
    ),
    Block((Step("hold", AGENT),), optional=True),
    Block((Step("ask_phone", AGENT), Step("give_phone", CUSTOMER)), optional=True),
    Block((Step("scan_history", AGENT), Step("scan_reply", CUSTOMER)), optional=True),
    Block((Step("ask_safe_place", AGENT), Step("give_safe_place", CUSTOMER)), optional=True),
    Block((Step("resolve", AGENT),), optional=False),
    Block((Step("ask_upgrade", CUSTOMER), Step("answer_upgrade", AGENT)), optional=True),
    Block((Step("offer_collection", AGENT), Step("collection_reply", CUSTOMER)), optional=True),
    Block((Step("ask_email", AGENT), Step("give_email", CUSTOMER)), optional=True),
    Block((Step("thanks", CUSTOMER), Step("closing", AGENT)), optional=False),
)

VOICES = {  # voice id, gender, espeak-ng voice+variant, rate (wpm), pitch, pitch range, word gap (10 ms)
    "train": (
        pool_voice("logistics-train-lancaster-f3", FEMALE, "en-gb-x-gbclan+f3", 155, 52, 75, 1),
        pool_voice("logistics-train-midlands-anika", FEMALE, "en-gb-x-gbcwmd+anika", 150, 48, 75, 2),
        pool_voice("logistics-train-lancaster-f5", FEMALE, "en-gb-x-gbclan+f5", 155, 55, 80, 1),
        pool_voice("logistics-train-midlands-m6", MALE, "en-gb-x-gbcwmd+m6", 155, 44, 75, 1),
        pool_voice("logistics-train-lancaster-lee", MALE, "en-gb-x-gbclan+Lee", 150, 48, 80, 2),
        pool_voice("logistics-train-midlands-ian", MALE, "en-gb-x-gbcwmd+ian", 155, 50, 75, 1),
        pool_voice("logistics-train-lancaster-quincy", MALE, "en-gb-x-gbclan+quincy", 150, 46, 75, 2),
    ),
    "holdout": (
        pool_voice("logistics-holdout-midlands-f2", FEMALE, "en-gb-x-gbcwmd+f2", 155, 52, 75, 1),
        pool_voice("logistics-holdout-lancaster-belinda", FEMALE, "en-gb-x-gbclan+belinda", 150, 50, 75, 2),
        pool_voice("logistics-holdout-lancaster-m3", MALE, "en-gb-x-gbclan+m3", 155, 42, 75, 1),
        pool_voice("logistics-holdout-midlands-andy", MALE, "en-gb-x-gbcwmd+Andy", 150, 48, 80, 2),
    ),
}

DOMAIN = Domain(
    name="logistics",
    description="a parcel carrier's delivery helpline: tracking numbers, depots, redeliveries, safe places",
    catalogue={"carriers": CARRIERS, "retailers": RETAILERS, "depots": DEPOTS, "services": SERVICES},
    slot_names=SLOT_NAMES,
    draw_facts=draw_facts,
    dialogue=Dialogue(FLOW, TEMPLATES, ISSUES, template_prefix="logistics."),
    entity_types=frozenset({
        EntityType.ORGANIZATION, EntityType.PERSON, EntityType.TRACKING_NUMBER, EntityType.ADDRESS,
        EntityType.DATE, EntityType.PHONE_NUMBER, EntityType.PRODUCT, EntityType.MONEY, EntityType.EMAIL_ADDRESS,
    }),
    channel=VOIP_WIDEBAND,
    voices=VOICES,
)
