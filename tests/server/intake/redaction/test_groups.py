"""Entity groups: expansion and the error for unknown names."""
from __future__ import annotations

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.redaction import PHI_TYPES, PII_TYPES, Redactor, resolve_entities


def test_groups_and_types_expand():
    assert resolve_entities(["pii"]) == PII_TYPES
    assert resolve_entities(["pii", "phi"]) == PII_TYPES | PHI_TYPES
    assert resolve_entities(["PERSON", "phi"]) == PHI_TYPES | {"PERSON"}
    assert {"MEDICAL_RECORD_NUMBER", "DATE"} <= PHI_TYPES
    assert {"PERSON", "ACCOUNT_NUMBER", "DATE_OF_BIRTH", "DIGIT_STRING", "US_SSN"} <= PII_TYPES


@pytest.mark.parametrize("entities", [["pii", "secrets"], [], ["ssn"]])
def test_unknown_or_empty_groups_are_invalid_arguments_naming_the_allowed_ones(entities):
    with pytest.raises(InvalidArgument) as error:
        Redactor(entities)
    assert "pii" in error.value.message and "phi" in error.value.message


def test_pad_out_of_range_is_invalid():
    with pytest.raises(InvalidArgument, match="pad_s"):
        Redactor(["pii"], pad_s=5.0)
