"""Entity groups a redaction step can name, and the entity types each one holds.

- `pii`: identifiers of a person in any conversation: names (PERSON), phone numbers, e-mail and street
  addresses, places (LOCATION: towns, regions), government and financial numbers (US_SSN, US_ITIN,
  US_PASSPORT, US_DRIVER_LICENSE, CREDIT_CARD, IBAN_CODE, US_BANK_NUMBER, ACCOUNT_NUMBER), dates of birth,
  IP addresses, and digit strings read out one by one with no context saying what they are (DIGIT_STRING).
- `phi`: what health records add (HIPAA's identifiers beyond the above): medical record and health-plan
  numbers, medical licences, NHS numbers, and every other date tied to the person (DATE: a visit, an
  incident, an appointment).
A step may also name single entity types ("PERSON"); `resolve_entities` expands the request.
"""
from __future__ import annotations

from collections.abc import Iterable

from adapt_server.errors import InvalidArgument

PII_TYPES = frozenset({
    "PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS", "ADDRESS", "LOCATION", "US_SSN", "US_ITIN", "US_PASSPORT",
    "US_DRIVER_LICENSE", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "ACCOUNT_NUMBER", "DATE_OF_BIRTH",
    "IP_ADDRESS", "DIGIT_STRING",
})
PHI_TYPES = frozenset({"MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_NUMBER", "MEDICAL_LICENSE", "UK_NHS", "DATE"})
ENTITY_GROUPS: dict[str, frozenset[str]] = {"pii": PII_TYPES, "phi": PHI_TYPES}
ALL_TYPES = PII_TYPES | PHI_TYPES
DEFAULT_GROUPS = ("pii", "phi")


def resolve_entities(requested: Iterable[str]) -> frozenset[str]:
    """Group names and/or entity types -> the entity types to redact.

    Raises InvalidArgument for an empty request or an unknown name, listing the allowed groups and types.
    """
    if isinstance(requested, str):
        requested = [requested]
    names = list(requested)
    if not names:
        raise InvalidArgument(f"redact: name at least one entity group ({_allowed()})")
    types: set[str] = set()
    for name in names:
        if not isinstance(name, str):
            raise InvalidArgument(f"redact: entity names are strings; got {name!r} ({_allowed()})")
        if name.lower() in ENTITY_GROUPS:
            types |= ENTITY_GROUPS[name.lower()]
        elif name.upper() in ALL_TYPES:
            types.add(name.upper())
        else:
            raise InvalidArgument(f"redact: unknown entity group {name!r}; {_allowed()}")
    return frozenset(types)


def _allowed() -> str:
    return (f"allowed groups: {', '.join(sorted(ENTITY_GROUPS))}; or entity types: "
            f"{', '.join(sorted(ALL_TYPES))}")
