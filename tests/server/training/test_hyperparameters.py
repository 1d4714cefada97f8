import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.training.hyperparameters import Hyperparameters, validate_hyperparameters


def test_docs_values_and_defaults():
    hp = validate_hyperparameters({"learning_rate": 1e-5, "epochs": 3, "batch_size": 16})
    assert (hp.learning_rate, hp.epochs, hp.batch_size) == (1e-5, 3, 16)
    assert hp.strategy == Hyperparameters().strategy
    assert validate_hyperparameters(None) == Hyperparameters()


def test_whole_number_floats_and_aliases_are_accepted():
    hp = validate_hyperparameters({"epochs": 2.0, "gradient_accumulation_steps": 4, "warmup": 1})
    assert hp.epochs == 2 and isinstance(hp.epochs, int)
    assert hp.gradient_accumulation == 4 and hp.warmup_steps == 1
    assert hp.accumulated_batch == hp.batch_size * 4


@pytest.mark.parametrize("values, field, allowed", [
    ({"learning_rate": 0}, "learning_rate", "(0, 0.01]"),
    ({"learning_rate": 5.0}, "learning_rate", "(0, 0.01]"),
    ({"learning_rate": float("nan")}, "learning_rate", "(0, 0.01]"),
    ({"epochs": 0}, "epochs", "[1, 100]"),
    ({"epochs": 2.5}, "epochs", "whole number"),
    ({"batch_size": 100000}, "batch_size", "[1, 256]"),
    ({"batch_size": True}, "batch_size", "[1, 256]"),
    ({"weight_decay": -1}, "weight_decay", "[0, 1]"),
    ({"max_steps": -3}, "max_steps", "[0, 100000]"),
    ({"seed": -1}, "seed", "[0, 2147483647]"),
    ({"gradient_accumulation": 0}, "gradient_accumulation", "[1, 1024]"),
    ({"mixin_ratio": 0.95}, "mixin_ratio", "[0, 0.9]"),
    ({"strategy": "qlora"}, "strategy", "full, frozen_encoder, lora"),
    ({"distillation_weight": 1.0}, "distillation_weight", "[0, 0.99]"),
    ({"distillation_tokens": "some"}, "distillation_tokens", "all, base_correct"),
    ({"trained_encoder_layers": 40}, "trained_encoder_layers", "[0, 32]"),
    ({"spec_augment": "yes"}, "spec_augment", "true or false"),
    ({"learning_rate": "1e-5"}, "learning_rate", "(0, 0.01]"),
])
def test_absurd_values_name_the_field_and_range(values, field, allowed):
    with pytest.raises(InvalidArgument) as error:
        validate_hyperparameters(values)
    assert field in error.value.message and allowed in error.value.message
    assert error.value.code == "INVALID_ARGUMENT"


def test_unknown_names_and_conflicts_are_refused():
    with pytest.raises(InvalidArgument, match="unknown hyperparameter 'learning_rat'.*learning_rate"):
        validate_hyperparameters({"learning_rat": 1e-5})
    with pytest.raises(InvalidArgument, match="spec_augment"):
        validate_hyperparameters({"strategy": "frozen_encoder", "spec_augment": True})
    with pytest.raises(InvalidArgument, match="trained_encoder_layers applies to strategy 'frozen_encoder'"):
        validate_hyperparameters({"strategy": "full", "trained_encoder_layers": 1})
    with pytest.raises(InvalidArgument, match="warmup_steps"):
        validate_hyperparameters({"warmup_steps": 10, "max_steps": 5})
    with pytest.raises(InvalidArgument, match="given twice"):
        validate_hyperparameters({"warmup": 1, "warmup_steps": 1})
    with pytest.raises(InvalidArgument, match="mapping"):
        validate_hyperparameters([("epochs", 1)])
