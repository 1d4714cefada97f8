"""Greedy decoding of a torch Whisper model with CTranslate2's token rules, for golden comparisons.

Same rules as `ctranslate2.models.Whisper.generate(beam_size=1, suppress_blank=True, suppress_tokens=[-1])`:
the non-speech tokens are never generated, the blank and end tokens are forbidden as the first generated
token, and (prompt ending in <|notimestamps|>) timestamp tokens are never generated.
"""
from __future__ import annotations

import torch


@torch.inference_mode()
def greedy_decode(model, features: torch.Tensor, prompt: list[int], suppress_tokens: list[int],
                  begin_suppress_tokens: list[int], eot: int, max_new_tokens: int = 128,
                  timestamp_begin: int | None = None) -> list[list[int]]:
    """Generated token ids (prompt and end token excluded) for each item.

    features: float32 (batch, n_mels, 3000) log-mel. timestamp_begin: first timestamp token id; when given,
    every id >= it is suppressed (a <|notimestamps|> prompt).
    """
    encoded = model.model.encoder(input_features=features).last_hidden_state
    batch = features.shape[0]
    tokens = torch.tensor([prompt] * batch, dtype=torch.long)
    generated: list[list[int]] = [[] for _ in range(batch)]
    finished = [False] * batch
    cache = None
    step_input = tokens
    for step in range(max_new_tokens):
        out = model(encoder_outputs=(encoded,), decoder_input_ids=step_input, cache=cache, use_cache=True)
        cache = out.cache if "cache" in out else out.past_key_values
        logits = out.logits[:, -1, :].float()
        logits[:, suppress_tokens] = -float("inf")
        if timestamp_begin is not None:
            logits[:, timestamp_begin:] = -float("inf")
        if step == 0:
            logits[:, begin_suppress_tokens] = -float("inf")
        next_tokens = logits.argmax(dim=-1)
        for index, token in enumerate(next_tokens.tolist()):
            if finished[index]:
                continue
            if token == eot:
                finished[index] = True
            else:
                generated[index].append(token)
        if all(finished):
            break
        step_input = next_tokens[:, None]
    return generated


def greedy_decode_onnx(onnx, features, prompt: list[int], suppress_tokens: list[int],
                       begin_suppress_tokens: list[int], eot: int, max_new_tokens: int = 128,
                       timestamp_begin: int | None = None) -> list[list[int]]:
    """greedy_decode for an ONNX export (`export.onnx_export.OnnxWhisper`, no key/value cache)."""
    import numpy as np
    states = onnx.encode(features)
    batch = features.shape[0]
    sequences = np.array([prompt] * batch, dtype=np.int64)
    generated: list[list[int]] = [[] for _ in range(batch)]
    finished = [False] * batch
    for step in range(max_new_tokens):
        logits = onnx.logits(sequences, states)[:, -1, :].astype(np.float32)
        logits[:, suppress_tokens] = -np.inf
        if timestamp_begin is not None:
            logits[:, timestamp_begin:] = -np.inf
        if step == 0:
            logits[:, begin_suppress_tokens] = -np.inf
        next_tokens = logits.argmax(axis=-1)
        for index, token in enumerate(next_tokens.tolist()):
            if not finished[index]:
                if token == eot:
                    finished[index] = True
                else:
                    generated[index].append(token)
        if all(finished):
            break
        sequences = np.concatenate([sequences, next_tokens[:, None].astype(np.int64)], axis=1)
    return generated
