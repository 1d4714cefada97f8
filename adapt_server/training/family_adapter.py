"""What the Trainer needs to train a transformers family (qwen3_asr, voxtral, cohere_asr) through its own loss:
which parameters train for each strategy, the summed loss of a micro-batch, and the plain model afterwards.

Strategies: "full" (every weight; learning_rate_multiplier_encoder scales the audio encoder's rate, 0 freezes
it), "frozen_encoder" (the audio encoder frozen, everything else trains; no cached encoder outputs: these
encoders are small next to their decoders), "lora" (peft adapters on every attention and MLP projection).
Whisper-only options are refused by `check_family_hyperparameters` with a message saying what to use.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch

from adapt_server.errors import InvalidArgument
from adapt_server.training.family_examples import FamilyExample, collate
from adapt_server.training.strategies import lora

# the audio encoder of each family (what "frozen_encoder" freezes)
AUDIO_ENCODERS = {"qwen3_asr": "model.audio_tower", "voxtral": "model.audio_tower", "cohere_asr": "model.encoder"}
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "out_proj", "gate_proj", "up_proj", "down_proj", "fc1",
                "fc2"]


def check_family_hyperparameters(hp, family: str) -> None:
    """InvalidArgument for options that only the Whisper path has."""
    unsupported = {"trained_encoder_layers": hp.trained_encoder_layers, "distillation_weight": hp.distillation_weight,
                   "spec_augment": hp.spec_augment, "mixin_ratio": hp.mixin_ratio}
    used = [name for name, value in unsupported.items() if value]
    if used:
        raise InvalidArgument(f"hyperparameter(s) {', '.join(used)} apply to Whisper fine-tunes only; for a {family} "
                              "base model leave them at 0 / false (strategies: full, frozen_encoder, lora)")


class FamilyLossAdapter:
    """The Trainer's view of one family: parameters to train, loss of a batch, the model after training."""

    def __init__(self, family: str, pad_id: int):
        self.family = family
        self.pad_id = pad_id

    def prepare(self, model, hp) -> tuple[torch.nn.Module, list[dict]]:
        encoder = model.get_submodule(AUDIO_ENCODERS[self.family])
        if hp.strategy == "lora":
            return lora(model, hp, LORA_TARGETS)
        encoder_ids = {id(p) for p in encoder.parameters()}
        rest = [p for p in model.parameters() if id(p) not in encoder_ids]
        groups = [{"params": rest, "weight_decay": hp.weight_decay, "lr_scale": 1.0}]
        if hp.strategy == "full" and hp.learning_rate_multiplier_encoder > 0:
            groups.append({"params": list(encoder.parameters()), "weight_decay": hp.weight_decay,
                           "lr_scale": hp.learning_rate_multiplier_encoder})
        else:
            encoder.requires_grad_(False)
        return model, groups

    def targets(self, example: FamilyExample) -> int:
        return example.targets

    def loss_sum(self, module, examples: Sequence[FamilyExample], device: str) -> tuple[torch.Tensor, int]:
        """(summed token cross-entropy in nats, target tokens) of a micro-batch, through the model's own loss
        (its mean over the batch's targets, times their number)."""
        batch = {name: value.to(device) for name, value in collate(self.family, list(examples), self.pad_id).items()}
        n_targets = sum(example.targets for example in examples)
        loss = module(**batch, use_cache=False).loss.float()
        return loss * n_targets, n_targets

    @staticmethod
    def merged(module):
        """The plain model with the trained weights (LoRA folded in)."""
        return module.merge_and_unload() if hasattr(module, "merge_and_unload") else module
