"""The fine-tune's validation options: the forgetting budget and reference beside split and holdout_fraction."""
from __future__ import annotations

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.finetunes.service import _validation_options
from adapt_server.store.fine_tunes import ValidationOptions


def test_defaults_are_a_five_percent_budget_on_the_shipped_reference():
    options = _validation_options({})
    assert options.forgetting_budget == 0.05 and options.forgetting_reference == ""
    assert ValidationOptions.from_dict({"split": "holdout", "holdout_fraction": 0.0}) == options  # older records


def test_a_budget_and_a_reference_round_trip_through_storage():
    options = _validation_options({"forgetting_budget": 0.1, "forgetting_reference": " ds_general "})
    assert (options.forgetting_budget, options.forgetting_reference) == (0.1, "ds_general")
    assert ValidationOptions.from_dict(options.to_dict()) == options
    assert _validation_options({"forgetting_budget": 0}).forgetting_budget == 0.0  # no regression at all


@pytest.mark.parametrize("raw, text", [
    ({"forgetting_budget": 1.5}, "forgetting_budget is the relative general-speech WER regression"),
    ({"forgetting_budget": -0.1}, "between 0 and 1"),
    ({"forgetting_budget": True}, "forgetting_budget"),
    ({"forgetting_reference": 3}, "forgetting_reference must be a dataset id"),
    ({"forgetting": 0.1}, "unknown fields ['forgetting']"),
])
def test_bad_values_name_the_field(raw, text):
    with pytest.raises(InvalidArgument, match=text.replace("[", r"\[").replace("]", r"\]")):
        _validation_options(raw)
