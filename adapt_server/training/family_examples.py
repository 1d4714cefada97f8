"""Training examples of the transformers families: (audio, text) -> the model's inputs and its labels.

Each family is trained through its own loss (`model(**inputs, labels=labels).loss`), with inputs built as its
inference prompt is, so a tuned model is served by the same prompt it learnt:
- qwen3_asr: the chat of `apply_transcription_request` with the assistant turn `language <Name><asr_text>{text}`;
  labels are the assistant turn's tokens only (the chat template's generation span: `return_assistant_tokens_mask`),
  since the processor's `output_labels` masks only audio and padding. The model shifts labels itself.
- voxtral: the hand-written transcription prompt (`lang:xx` + [TRANSCRIBE]) + text tokens + </s>; labels -100 on
  the prompt. The model shifts labels itself.
- cohere_asr: the processor returns the 10-token decoder prompt and the transcript ids separately, without EOS,
  and the model does not shift labels when decoder_input_ids are given: decoder_input_ids = prompt + text,
  labels = -100 for the prompt's own tokens, then text + EOS, aligned position by position.
Audio is featurized one item at a time (features never depend on the other items of a batch).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from adapt_server.engines.transformers.families import QWEN3_LANGUAGES
from adapt_server.engines.transformers.prompts import VoxtralCodec
from adapt_server.errors import InvalidArgument

IGNORE = -100
TRAINABLE_FAMILIES = ("qwen3_asr", "voxtral", "cohere_asr")
MAX_TEXT_TOKENS = 400  # transcript tokens kept per utterance


@dataclass(frozen=True)
class FamilyExample:
    """One featurized item: unbatched tensors and how they pad."""

    tensors: dict  # name -> torch tensor without the batch axis; sequences first
    targets: int  # label tokens that carry loss (after the model's own shift, where it shifts)


def build_examples(family: str, processor, tokenizer, config, items, language: str) -> list[FamilyExample]:
    """FamilyExamples of (float32 16-kHz samples, text) items, in order."""
    if family not in TRAINABLE_FAMILIES:
        raise InvalidArgument(f"fine-tuning is available for {', '.join(TRAINABLE_FAMILIES)} and Whisper; "
                              f"{family} is not trainable yet")
    build = {"qwen3_asr": _qwen3, "voxtral": _voxtral, "cohere_asr": _cohere}[family]
    return [build(processor, tokenizer, config, np.ascontiguousarray(samples, dtype=np.float32), text.strip(),
                  language) for samples, text in items]


def _qwen3(processor, tokenizer, config, samples, text, language) -> FamilyExample:
    name = QWEN3_LANGUAGES.get(language, language)
    conversation = [{"role": "system", "content": [{"type": "text", "text": ""}]},
                    {"role": "user", "content": [{"type": "audio", "audio": samples}]},
                    {"role": "assistant", "content": [{"type": "text", "text": f"language {name}<asr_text>{text}"}]}]
    inputs = processor.apply_chat_template([conversation], tokenize=True, return_dict=True,
                                           return_assistant_tokens_mask=True)
    ids = inputs["input_ids"][0]
    mask = torch.as_tensor(inputs["assistant_masks"])[0].bool()
    labels = torch.where(mask, ids, torch.full_like(ids, IGNORE))
    return FamilyExample(tensors={"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels,
                                  "input_features": inputs["input_features"][0].T,
                                  "input_features_mask": inputs["input_features_mask"][0]},
                         targets=int((labels[1:] != IGNORE).sum()))


def _voxtral(processor, tokenizer, config, samples, text, language) -> FamilyExample:
    codec = VoxtralCodec(processor, tokenizer, config, None)
    batch = codec.batch([samples], language, None)
    prompt = batch.inputs["input_ids"][0]
    text_ids = tokenizer.encode(text, add_special_tokens=False)[:MAX_TEXT_TOKENS]
    answer = torch.tensor(text_ids + [tokenizer.convert_tokens_to_ids("</s>")], dtype=torch.long)
    ids = torch.cat([prompt, answer])
    labels = torch.cat([torch.full_like(prompt, IGNORE), answer])
    return FamilyExample(tensors={"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels,
                                  "input_features": batch.inputs["input_features"][0]},
                         targets=len(answer))


def _cohere(processor, tokenizer, config, samples, text, language) -> FamilyExample:
    inputs = processor(samples, sampling_rate=16000, language=language, text=text)
    prompt = inputs["decoder_input_ids"][0]
    text_ids = inputs["labels"][0][:MAX_TEXT_TOKENS]
    eos = torch.tensor([config.eos_token_id], dtype=torch.long)
    decoder_ids = torch.cat([prompt, text_ids])
    labels = torch.cat([torch.full((len(prompt) - 1,), IGNORE, dtype=torch.long), text_ids, eos])
    return FamilyExample(tensors={"input_features": inputs["input_features"][0],
                                  "attention_mask": inputs["attention_mask"][0], "decoder_input_ids": decoder_ids,
                                  "labels": labels}, targets=len(text_ids) + 1)


# padding value of each input (sequences are right-padded; features with zeros and a zero mask)
_PAD = {"labels": IGNORE, "attention_mask": 0, "input_features_mask": 0, "input_features": 0.0}
_FEATURES_LAST = {"qwen3_asr": ("input_features",)}  # stored (frames, mels), the model takes (mels, frames)


def collate(family: str, examples: list[FamilyExample], pad_id: int) -> dict:
    """A batch of examples: every tensor right-padded along its first axis and stacked."""
    batch = {}
    for name in examples[0].tensors:
        rows = [example.tensors[name] for example in examples]
        longest = max(row.shape[0] for row in rows)
        value = _PAD.get(name, pad_id)
        out = torch.full((len(rows), longest, *rows[0].shape[1:]), value, dtype=rows[0].dtype)
        for index, row in enumerate(rows):
            out[index, :row.shape[0]] = row
        batch[name] = out.transpose(1, 2) if name in _FEATURES_LAST.get(family, ()) else out
    return batch
