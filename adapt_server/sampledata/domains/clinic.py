"""The clinic domain: a medical practice's appointment and prescription line.

Patients book appointments about their symptoms, ask for refills of invented drugs at milligram doses, name
their pharmacy and insurer, and are verified by medical record number and date of birth. Vocabulary:
invented practices, drugs, pharmacies, insurers and doctors' names among real medical terms; wording:
clinic_wording.py; voices: British (Received Pronunciation) and Scottish English; channel: a wideband
headset in a reverberant, busy room (channel.WIDEBAND_ROOM).
"""

from __future__ import annotations

import datetime

import numpy as np

from adapt_server.sampledata import catalogue as people
from adapt_server.sampledata import spoken
from adapt_server.sampledata.channel import WIDEBAND_ROOM
from adapt_server.sampledata.dialogue import AGENT, CUSTOMER, Block, Dialogue, Step
from adapt_server.sampledata.domain import Domain
from adapt_server.sampledata.domains.clinic_wording import ISSUES, TEMPLATES
from adapt_server.sampledata.entities import EntityType
from adapt_server.sampledata.facts import (
    CallFacts,
    call_day,
    date_of_birth,
    day_in_year,
    digit_identifier,
    money,
    organization,
    person,
    phone,
    pick,
    plain,
    product,
)
from adapt_server.sampledata.voices import FEMALE, MALE, pool_voice

PRACTICES = (
    "Brackenridge Family Practice",
    "Holloway Creek Medical Group",
    "Marisell Health Center",
    "Thornbury Medical Associates",
)
DRUGS = ("Zorvastin", "Plexamide", "Cardiquel", "Trelozapine", "Nuvexa", "Dulomectin", "Oxabrine", "Velanopril")
PHARMACIES = ("Quillfield Pharmacy", "Larkspur Pharmacy", "Medivane Pharmacy", "Orrin and Hale Chemists")
INSURERS = ("Meridane Health", "Solvera Care", "Kestrel Mutual", "Aventra Health Plan")
DOCTORS = ("Vandermeer", "Okonkwo", "Thistlewood", "Castellanos", "Abernathy", "Ruskova")
RECEPTIONISTS = ("Robin", "Frankie", "Jo", "Kit", "Sasha", "Ali", "Charlie", "Rowan")  # unisex: any voice

DOSES_MG = (5, 10, 20, 25, 40, 50, 75, 100, 150, 250, 500)
SCHEDULES = ("once a day", "twice a day", "every morning", "at bedtime", "every eight hours")

SLOT_NAMES = (
    "practice", "agent_first", "patient_first", "patient_full", "record_number", "dob", "phone", "onset_date",
    "appointment_date", "doctor", "drug", "dose", "schedule", "pharmacy", "insurer", "member_number", "copay",
)


def draw_facts(rng: np.random.Generator) -> CallFacts:
    """Every slot of one clinic call."""
    first, last = pick(rng, people.FIRST_NAMES), pick(rng, people.LAST_NAMES)
    day = call_day(rng)
    onset = day - datetime.timedelta(days=int(rng.integers(2, 21)))
    appointment = day + datetime.timedelta(days=int(rng.integers(1, 15)))
    dose = int(pick(rng, DOSES_MG))
    return CallFacts({
        "practice": organization(pick(rng, PRACTICES)),
        "agent_first": person(pick(rng, RECEPTIONISTS)),
        "patient_first": person(first),
        "patient_full": person(f"{first} {last}"),
        "record_number": digit_identifier(rng, ((4, 4), (2, 3, 3)), EntityType.MEDICAL_RECORD_NUMBER),
        "dob": date_of_birth(rng),
        "phone": phone(rng),
        "onset_date": day_in_year(onset),
        "appointment_date": day_in_year(appointment),
        "doctor": person(pick(rng, DOCTORS)),
        "drug": product(pick(rng, DRUGS)),
        "dose": plain(f"{spoken.cardinal(dose)} milligrams"),
        "schedule": plain(pick(rng, SCHEDULES)),
        "pharmacy": organization(pick(rng, PHARMACIES)),
        "insurer": organization(pick(rng, INSURERS)),
        "member_number": digit_identifier(rng, ((3, 3, 3),), EntityType.HEALTH_PLAN_NUMBER),
        "copay": money(int(rng.integers(2, 12)) * 500),
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
    Block((Step("ask_symptoms", AGENT), Step("describe_symptoms", CUSTOMER)), optional=True),
    Block((Step("ask_medication", AGENT), Step("give_medication", CUSTOMER)), optional=True),
    Block((Step("ask_pharmacy", AGENT), Step("give_pharmacy", CUSTOMER)), optional=True),
    Block((Step("resolve", AGENT),), optional=False),
    Block((Step("ask_insurance", AGENT), Step("give_insurance", CUSTOMER)), optional=True),
    Block((Step("ask_copay", CUSTOMER), Step("answer_copay", AGENT)), optional=True),
    Block((Step("thanks", CUSTOMER), Step("closing", AGENT)), optional=False),
)

VOICES = {  # voice id, gender, espeak-ng voice+variant, rate (wpm), pitch, pitch range, word gap (10 ms)
    "train": (
        pool_voice("clinic-train-rp-f1", FEMALE, "en-gb-x-rp+f1", 155, 52, 75, 1),
        pool_voice("clinic-train-rp-linda", FEMALE, "en-gb-x-rp+linda", 150, 50, 75, 2),
        pool_voice("clinic-train-scotland-f4", FEMALE, "en-gb-scotland+f4", 155, 55, 80, 1),
        pool_voice("clinic-train-rp-m1", MALE, "en-gb-x-rp+m1", 150, 45, 75, 2),
        pool_voice("clinic-train-rp-john", MALE, "en-gb-x-rp+john", 155, 48, 75, 1),
        pool_voice("clinic-train-scotland-m4", MALE, "en-gb-scotland+m4", 155, 42, 80, 1),
        pool_voice("clinic-train-rp-david", MALE, "en-gb-x-rp+david", 150, 50, 75, 2),
    ),
    "holdout": (
        pool_voice("clinic-holdout-rp-belinda", FEMALE, "en-gb-x-rp+belinda", 155, 50, 75, 1),
        pool_voice("clinic-holdout-scotland-aunty", FEMALE, "en-gb-scotland+aunty", 150, 55, 75, 1),
        pool_voice("clinic-holdout-rp-m5", MALE, "en-gb-x-rp+m5", 155, 44, 75, 1),
        pool_voice("clinic-holdout-scotland-paul", MALE, "en-gb-scotland+paul", 150, 48, 80, 2),
    ),
}

DOMAIN = Domain(
    name="clinic",
    description="a medical practice's appointment and prescription line: symptoms, refills, doses, pharmacies",
    catalogue={"practices": PRACTICES, "drugs": DRUGS, "pharmacies": PHARMACIES, "insurers": INSURERS,
               "doctors": DOCTORS},
    slot_names=SLOT_NAMES,
    draw_facts=draw_facts,
    dialogue=Dialogue(FLOW, TEMPLATES, ISSUES, template_prefix="clinic."),
    entity_types=frozenset({
        EntityType.ORGANIZATION, EntityType.PERSON, EntityType.MEDICAL_RECORD_NUMBER, EntityType.HEALTH_PLAN_NUMBER,
        EntityType.DATE_OF_BIRTH, EntityType.DATE, EntityType.PHONE_NUMBER, EntityType.PRODUCT, EntityType.MONEY,
    }),
    channel=WIDEBAND_ROOM,
    voices=VOICES,
)
