"""Presidio recognizers for what its predefined ones lack (spoken numbers, dates, e-mails, street addresses,
introduced names, medical record numbers); each wraps a pure finder of `spoken.py`."""
from __future__ import annotations

from collections.abc import Callable

from presidio_analyzer import EntityRecognizer, RecognizerResult

from adapt_server.intake.redaction import spoken

CUSTOM_SCORE = 0.9  # above spaCy's 0.85, so a specific finding wins over a generic NER label on the same words


class FinderRecognizer(EntityRecognizer):
    """A presidio recognizer running one pure finder (text -> spoken.Found spans)."""

    def __init__(self, name: str, finder: Callable[[str], list[spoken.Found]], entities: list[str]):
        self.finder = finder
        super().__init__(supported_entities=entities, name=name, supported_language="en")

    def load(self) -> None:  # nothing to load: the finders are regular expressions
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        wanted = set(entities or self.supported_entities)
        return [RecognizerResult(found.entity_type, found.start, found.end, CUSTOM_SCORE)
                for found in self.finder(text) if found.entity_type in wanted]


def custom_recognizers() -> list[EntityRecognizer]:
    """The recognizers Adapt adds to presidio's predefined ones."""
    return [
        FinderRecognizer("SpokenDigitsRecognizer", spoken.digit_runs,
                         ["ACCOUNT_NUMBER", "PHONE_NUMBER", "US_SSN", "MEDICAL_RECORD_NUMBER", "HEALTH_PLAN_NUMBER",
                          "DIGIT_STRING"]),
        FinderRecognizer("SpokenDateRecognizer", spoken.spoken_dates, ["DATE_OF_BIRTH", "DATE"]),
        FinderRecognizer("SpokenEmailRecognizer", spoken.spoken_emails, ["EMAIL_ADDRESS"]),
        FinderRecognizer("StreetAddressRecognizer", spoken.street_addresses, ["ADDRESS"]),
        FinderRecognizer("IntroducedNameRecognizer", spoken.introduced_names, ["PERSON"]),
    ]
