"""What a strategy trains: the whole model, the decoder only (encoder frozen; optionally its top blocks too,
on cached states of the frozen ones), or LoRA adapters (peft).

`prepare(model, hp)` returns the module to run and the parameter groups to optimize; `merged(module)` gives
back a plain `WhisperForConditionalGeneration` with the tuned weights (LoRA adapters folded in) for export.
"""
from __future__ import annotations

import torch

from adapt_server.errors import InvalidArgument

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"]  # every linear of every block


def lora(model, hp, targets: list[str]) -> tuple[torch.nn.Module, list[dict]]:
    """(the model wrapped with LoRA adapters on the linear layers named `targets`, its one AdamW group): only the
    adapters train; the seed fixes their random initialization."""
    from peft import LoraConfig, get_peft_model
    torch.manual_seed(hp.seed)  # LoRA's A matrices are initialized randomly
    config = LoraConfig(r=hp.lora_rank, lora_alpha=hp.lora_alpha, lora_dropout=0.0, target_modules=targets,
                        bias="none")
    module = get_peft_model(model, config)
    params = [p for p in module.parameters() if p.requires_grad]
    return module, [{"params": params, "weight_decay": hp.weight_decay, "lr_scale": 1.0}]


def prepare(model, hp) -> tuple[torch.nn.Module, list[dict]]:
    """(module to train, AdamW parameter groups) for hp.strategy; the model's weights are changed in place."""
    if hp.strategy == "lora":
        return lora(model, hp, LORA_TARGETS)
    if hp.strategy == "frozen_encoder":
        encoder = model.model.encoder
        for parameter in encoder.parameters():
            parameter.requires_grad_(False)
        top = top_encoder_modules(encoder, hp.trained_encoder_layers)
        for module in top:
            module.requires_grad_(True)
        trained = [p for p in model.model.decoder.parameters() if p.requires_grad]
        trained += [p for module in top for p in module.parameters()]
        return model, [{"params": trained, "weight_decay": hp.weight_decay, "lr_scale": 1.0}]
    encoder = [p for p in model.model.encoder.parameters()]
    decoder = [p for p in model.model.decoder.parameters()]
    groups = [{"params": decoder, "weight_decay": hp.weight_decay, "lr_scale": 1.0}]
    if hp.learning_rate_multiplier_encoder > 0:
        groups.append({"params": encoder, "weight_decay": hp.weight_decay,
                       "lr_scale": hp.learning_rate_multiplier_encoder})
    else:
        for parameter in encoder:
            parameter.requires_grad_(False)
    return model, groups


def top_encoder_modules(encoder, n_layers: int) -> list[torch.nn.Module]:
    """The top n_layers blocks of a Whisper encoder and its final layer norm ([] for 0): what strategy
    frozen_encoder trains with trained_encoder_layers. InvalidArgument when the encoder has fewer blocks."""
    if n_layers == 0:
        return []
    if n_layers > len(encoder.layers):
        raise InvalidArgument(f"trained_encoder_layers is {n_layers} but this base model's encoder has "
                              f"{len(encoder.layers)} layers; use at most {len(encoder.layers)}")
    return [*encoder.layers[len(encoder.layers) - n_layers:], encoder.layer_norm]


def encoder_below(encoder, input_features: torch.Tensor, n_top: int) -> torch.Tensor:
    """Hidden states entering the top n_top encoder blocks: (batch, frames, d_model). With n_top 0, the
    encoder's output (final layer norm included)."""
    if n_top == 0:
        return encoder(input_features=input_features).last_hidden_state
    hidden = encoder(input_features=input_features, output_hidden_states=True).hidden_states
    return hidden[len(encoder.layers) - n_top]  # hidden[0]: the embedded input; hidden[k]: after block k


def encoder_top(encoder, states: torch.Tensor, n_top: int) -> torch.Tensor:
    """The encoder's output from `encoder_below`'s states: its top n_top blocks and final layer norm."""
    if n_top == 0:
        return states
    for layer in encoder.layers[len(encoder.layers) - n_top:]:
        states = layer(states, None)
        states = states[0] if isinstance(states, tuple) else states
    return encoder.layer_norm(states)


def whisper_model(module):
    """The WhisperForConditionalGeneration inside `module` (a peft wrapper or the model itself)."""
    return module.get_base_model() if hasattr(module, "get_base_model") else module


def merged(module):
    """A plain Whisper model with the trained weights (LoRA folded in); the training module is consumed."""
    if hasattr(module, "merge_and_unload"):
        return module.merge_and_unload()
    return module


def trainable_parameters(module) -> dict[str, torch.Tensor]:
    """The parameters that train, by name (live tensors, not copies)."""
    return {name: parameter for name, parameter in module.named_parameters() if parameter.requires_grad}


def trainable_state(module) -> dict[str, torch.Tensor]:
    """The trained parameters by name, copied (what a checkpoint must hold to resume)."""
    return {name: parameter.detach().clone() for name, parameter in trainable_parameters(module).items()}


def base_weights(model) -> dict[str, torch.Tensor]:
    """A copy of every parameter (tied ones once), to interpolate towards after training."""
    return {name: parameter.detach().clone() for name, parameter in model.named_parameters()}


@torch.no_grad()
def interpolate_weights(model, base: dict[str, torch.Tensor], share: float) -> None:
    """In place: each parameter becomes base + share * (tuned - base) (WiSE-FT, Wortsman et al. 2022).

    share 1 keeps the tuned weights; lower values trade some of the domain gain for less forgetting of the
    base model's general speech."""
    if share >= 1.0:
        return
    for name, parameter in model.named_parameters():
        parameter.copy_(base[name].to(parameter.device) + share * (parameter - base[name].to(parameter.device)))


@torch.no_grad()
def interpolate_weights_between(model, base: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor],
                                share: float) -> None:
    """In place: each parameter becomes base + share * (tuned - base), from stored copies of both."""
    for name, parameter in model.named_parameters():
        parameter.copy_((base[name] + share * (tuned[name] - base[name])).to(parameter.device))
