"""Entity types the call scripts mention, and the annotation of one mention (value objects)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EntityType(StrEnum):
    """What a span of a turn is. Names follow Presidio where it has one."""

    PERSON = "PERSON"
    PHONE_NUMBER = "PHONE_NUMBER"
    ACCOUNT_NUMBER = "ACCOUNT_NUMBER"  # an account, or the last four digits of a card
    MEDICAL_RECORD_NUMBER = "MEDICAL_RECORD_NUMBER"  # a patient's record number at a practice
    HEALTH_PLAN_NUMBER = "HEALTH_PLAN_NUMBER"  # an insurance member number
    TRACKING_NUMBER = "TRACKING_NUMBER"  # a parcel's tracking number (leads to a person's address)
    DATE_OF_BIRTH = "DATE_OF_BIRTH"
    DATE = "DATE"  # a date that is not a birth date (when a fault began, a visit)
    EMAIL_ADDRESS = "EMAIL_ADDRESS"
    ADDRESS = "ADDRESS"  # a street address with its town (Presidio would call parts of it LOCATION)
    MONEY = "MONEY"
    PRODUCT = "PRODUCT"  # a product of the fictional catalogue: the out-of-vocabulary words
    ORGANIZATION = "ORGANIZATION"  # a fictional company, practice, pharmacy, bank, merchant or carrier


PII_ENTITY_TYPES = frozenset(
    {
        EntityType.PERSON,
        EntityType.PHONE_NUMBER,
        EntityType.ACCOUNT_NUMBER,
        EntityType.MEDICAL_RECORD_NUMBER,
        EntityType.HEALTH_PLAN_NUMBER,
        EntityType.TRACKING_NUMBER,
        EntityType.DATE_OF_BIRTH,
        EntityType.DATE,
        EntityType.EMAIL_ADDRESS,
        EntityType.ADDRESS,
    }
)  # what a redaction step must find (groups pii + phi; a tracking number is a digit string to it); MONEY,
# PRODUCT and ORGANIZATION are annotated but not personal


@dataclass(frozen=True)
class EntityMention:
    """One entity in the text of one turn."""

    entity_type: EntityType
    text: str  # the span as spoken and written in the turn: "march third, nineteen eighty four"
    value: str  # canonical written form: "1984-03-03", "45678123", "maria.lopez@quickmail.com"
    char_start: int  # offset of the span's first character in the turn text
    char_end: int  # offset one past the span's last character
    word_indices: tuple[int, ...]  # indices of the whitespace-separated words of the turn the span covers
