"""Fine-tuning hyperparameters: a frozen value object and the validation every user-given value goes through.

`validate_hyperparameters(dict)` accepts the docs' names (`learning_rate`, `epochs`, `batch_size`) and the
rest below; unknown names and out-of-range values raise `InvalidArgument` naming the field and its allowed
range. Whole-number floats (`3.0`, as JSON and protobuf Struct give numbers) are accepted for integers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from adapt_server.errors import InvalidArgument, echo

STRATEGIES = ("full", "frozen_encoder", "lora")
DISTILLATION_TOKENS = ("all", "base_correct")
MAX_SEED = 2**31 - 1


@dataclass(frozen=True)
class Hyperparameters:
    """How a fine-tune trains. Defaults were measured on generated calls (docs/fine_tunes.md)."""

    learning_rate: float = 1e-4  # peak AdamW learning rate, after warmup; (0, 0.01]
    epochs: int = 3  # passes over the training items; 1..100 (max_steps may stop earlier)
    batch_size: int = 16  # utterances per optimizer step (split into micro-batches of micro_batch_size); 1..256
    warmup_steps: int = 2  # optimizer steps of linear warmup from 0 to learning_rate; 0..10000
    weight_decay: float = 0.0  # AdamW decoupled weight decay; 0..1
    max_steps: int = 0  # optimizer steps at most (0: as many as `epochs` give); 0..100000
    seed: int = 0  # data order, SpecAugment masks, mix-in draws and LoRA init; same seed -> same weights
    gradient_accumulation: int = 1  # batches of batch_size accumulated per optimizer step; 1..1024
    strategy: str = "frozen_encoder"  # "full" | "frozen_encoder" (decoder only, cached encoder outputs) | "lora" (peft)
    lora_rank: int = 16  # LoRA rank r (strategy "lora"); 1..256
    lora_alpha: float = 32.0  # LoRA scaling alpha (strategy "lora"); (0, 1024]
    trained_encoder_layers: int = 0  # strategy "frozen_encoder": the top N encoder blocks (and the encoder's final
    # layer norm) train too, on cached outputs of the frozen blocks below - acoustic adaptation at a fraction
    # of a full fine-tune's cost; 0..32 (at most the model's encoder layers)
    spec_augment: bool = False  # SpecAugment time/frequency masks on the log-mel (not with frozen_encoder)
    mixin_ratio: float = 0.0  # share of each batch drawn from general speech against forgetting; 0..0.9
    timestamp_ratio: float = 0.5  # share of items labelled with timestamp tokens (the rest <|notimestamps|>); 0..1
    micro_batch_size: int = 8  # utterances per forward/backward pass (memory bound, not a learning setting); 1..256
    weight_interpolation: float = 0.7  # share of the change kept at export: base + share x (tuned - base)
    # (WiSE-FT); below 1 trades some of the domain gain for less forgetting; (0, 1]
    learning_rate_multiplier_encoder: float = 1.0  # encoder learning rate / learning_rate (strategy "full"); 0..10
    distillation_weight: float = 0.0  # share of the loss that is KL(base || tuned) on the training tokens:
    # learning without forgetting (Li & Hoiem 2017), the base model's own predictions as soft targets; 0..0.99
    select_interpolation: bool = True  # after training, choose weight_interpolation on a validation slice of the
    # training items and on general speech (training/interpolation.py); off when weight_interpolation is given
    long_form_seconds: float = 0.0  # > 0: the training items also include stretches of consecutive utterances of
    # one recording up to this long (finetunes/data.py: long_form_items), so the model also trains on 30-s windows
    # that run across turns and speakers, not only on single short turns; 0 = single utterances only; 0..30
    average_last_share: float = 0.0  # the exported weights are the mean over the last share of the optimizer
    # steps (tail averaging, training/averaging.py): less dependence on the order of the last batches; 0 = the
    # last step's weights; [0, 1]
    distillation_tokens: str = "all"  # where the KL applies: "all" target tokens, or "base_correct" - only where
    # the base model's top prediction is the label, so what the base gets wrong (domain terms) is learnt freely

    @property
    def accumulated_batch(self) -> int:
        """Utterances per optimizer step."""
        return self.batch_size * self.gradient_accumulation

    def to_dict(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


_ALIASES = {"gradient_accumulation_steps": "gradient_accumulation", "warmup": "warmup_steps",
            "lr": "learning_rate", "num_epochs": "epochs"}

# name -> (kind, low, high, low_open); kinds: float, int, bool, choice
_RULES: dict[str, tuple] = {
    "learning_rate": ("float", 0.0, 1e-2, True),
    "epochs": ("int", 1, 100, False),
    "batch_size": ("int", 1, 256, False),
    "warmup_steps": ("int", 0, 10000, False),
    "weight_decay": ("float", 0.0, 1.0, False),
    "max_steps": ("int", 0, 100000, False),
    "seed": ("int", 0, MAX_SEED, False),
    "gradient_accumulation": ("int", 1, 1024, False),
    "strategy": ("choice", STRATEGIES),
    "lora_rank": ("int", 1, 256, False),
    "lora_alpha": ("float", 0.0, 1024.0, True),
    "trained_encoder_layers": ("int", 0, 32, False),
    "spec_augment": ("bool",),
    "mixin_ratio": ("float", 0.0, 0.9, False),
    "timestamp_ratio": ("float", 0.0, 1.0, False),
    "micro_batch_size": ("int", 1, 256, False),
    "learning_rate_multiplier_encoder": ("float", 0.0, 10.0, False),
    "weight_interpolation": ("float", 0.0, 1.0, True),
    "distillation_weight": ("float", 0.0, 0.99, False),
    "distillation_tokens": ("choice", DISTILLATION_TOKENS),
    "select_interpolation": ("bool",),
    "average_last_share": ("float", 0.0, 1.0, False),
    "long_form_seconds": ("float", 0.0, 30.0, False),
}


def validate_hyperparameters(values: dict[str, Any] | None) -> Hyperparameters:
    """Hyperparameters from user values (missing ones take the defaults); InvalidArgument naming a bad field."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise InvalidArgument(f"hyperparameters must be a mapping of name to value; got {type(values).__name__}")
    checked: dict[str, Any] = {}
    for raw_name, value in values.items():
        name = _ALIASES.get(raw_name, raw_name)
        if name not in _RULES:
            raise InvalidArgument(f"unknown hyperparameter {echo(raw_name)}; known: {', '.join(sorted(_RULES))}")
        if name in checked:
            raise InvalidArgument(f"hyperparameter {echo(name)} is given twice (as {echo(raw_name)} and another alias)")
        checked[name] = _check(name, value, _RULES[name])
    if "weight_interpolation" in checked and "select_interpolation" not in checked:
        checked["select_interpolation"] = False  # a share the user gives is used as is
    hp = Hyperparameters(**checked)
    if hp.strategy == "frozen_encoder" and hp.spec_augment:
        raise InvalidArgument("spec_augment needs the encoder to see each augmented log-mel, but strategy "
                              "'frozen_encoder' caches encoder outputs: use strategy 'full' or 'lora', or "
                              "spec_augment false")
    if hp.trained_encoder_layers and hp.strategy != "frozen_encoder":
        raise InvalidArgument(f"trained_encoder_layers applies to strategy 'frozen_encoder' (strategy "
                              f"{echo(hp.strategy)} trains the encoder its own way); set it to 0 or use "
                              "strategy 'frozen_encoder'")
    if hp.warmup_steps and hp.max_steps and hp.warmup_steps > hp.max_steps:
        raise InvalidArgument(f"warmup_steps ({hp.warmup_steps}) must be at most max_steps ({hp.max_steps})")
    return hp


def _check(name: str, value: Any, rule: tuple) -> Any:
    kind = rule[0]
    if kind == "choice":
        if value not in rule[1]:
            raise InvalidArgument(f"hyperparameter {name} must be one of {', '.join(rule[1])}; got {echo(value)}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidArgument(f"hyperparameter {name} must be true or false; got {echo(value)}")
        return value
    _, low, high, low_open = rule
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidArgument(f"hyperparameter {name} must be a number in {_range(kind, low, high, low_open)}; "
                              f"got {echo(value)}")
    if kind == "int":
        if float(value) != int(value):
            raise InvalidArgument(f"hyperparameter {name} must be a whole number in "
                                  f"{_range(kind, low, high, low_open)}; got {echo(value)}")
        value = int(value)
    else:
        value = float(value)
    if value < low or value > high or (low_open and value == low):
        raise InvalidArgument(f"hyperparameter {name} must be in {_range(kind, low, high, low_open)}; got {echo(value)}")
    return value


def _range(kind: str, low, high, low_open: bool) -> str:
    left = "(" if low_open else "["
    if kind == "int":
        return f"{left}{low}, {high}] (whole number)"
    return f"{left}{low:g}, {high:g}]"
