"""Decoder targets: Whisper's token sequences for (audio, text) training items, with or without timestamps.

With timestamps (what the engine decodes by default, and what keeps segment ends after tuning):
    <|startoftranscript|> <|0.00|> text tokens <|T|> <|endoftext|>
where T is the end of the speech (the last 20-ms frame above an energy floor), rounded to 0.02 s.
Without: <|startoftranscript|> <|notimestamps|> text tokens <|endoftext|>, and the loss skips the prediction
of <|notimestamps|> (the engine puts it in the prompt). Multilingual models get <|en|><|transcribe|> after
<|startoftranscript|>.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from adapt_kernels.whisper_constants import MAX_TEXT_TOKENS, SAMPLE_RATE, TIME_PRECISION_S

IGNORE = -100  # label id the loss skips
ENERGY_FRAME = 320  # samples (20 ms) per energy frame
ENERGY_FLOOR_DB = -40.0  # a frame is speech when within this many dB of the loudest frame
SPEECH_END_MARGIN_S = 0.1  # seconds added after the last loud frame


@dataclass(frozen=True)
class SpecialTokens:
    """Ids of one model's special tokens."""

    sot: int
    eot: int
    no_timestamps: int
    timestamp_begin: int  # <|0.00|>
    task_prefix: tuple[int, ...]  # tokens after <|startoftranscript|> (multilingual: <|en|><|transcribe|>)


def special_tokens(tokenizer, multilingual: bool, language: str = "en") -> SpecialTokens:
    ids = tokenizer.convert_tokens_to_ids
    no_timestamps = ids("<|notimestamps|>")
    prefix = (ids(f"<|{language}|>"), ids("<|transcribe|>")) if multilingual else ()
    return SpecialTokens(sot=ids("<|startoftranscript|>"), eot=ids("<|endoftext|>"), no_timestamps=no_timestamps,
                         timestamp_begin=no_timestamps + 1, task_prefix=prefix)


def speech_end_s(samples: np.ndarray) -> float:
    """Seconds from the start of the clip to the end of its speech (energy-based), at most its duration."""
    duration = samples.size / SAMPLE_RATE
    n_frames = samples.size // ENERGY_FRAME
    if n_frames == 0:
        return duration
    frames = samples[:n_frames * ENERGY_FRAME].reshape(n_frames, ENERGY_FRAME).astype(np.float64)
    energy_db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(energy_db >= energy_db.max() + ENERGY_FLOOR_DB)
    return min(duration, (loud[-1] + 1) * ENERGY_FRAME / SAMPLE_RATE + SPEECH_END_MARGIN_S)


def label_sequence(tokenizer, tokens: SpecialTokens, text: str, samples: np.ndarray,
                   with_timestamps: bool) -> tuple[list[int], list[int]]:
    """(decoder input ids, target ids) of one item; targets hold IGNORE where no loss is taken.

    Both lists have the same length; target[i] is the token that follows input[i].
    """
    text_ids = tokenizer.encode(" " + text.strip(), add_special_tokens=False)[:MAX_TEXT_TOKENS]
    prefix = [tokens.sot, *tokens.task_prefix]
    if with_timestamps:
        end = int(round(speech_end_s(samples) / TIME_PRECISION_S))
        sequence = prefix + [tokens.timestamp_begin] + text_ids + [tokens.timestamp_begin + end, tokens.eot]
        skip = len(prefix) - 1  # predictions of the task prefix are forced, not learned
    else:
        sequence = prefix + [tokens.no_timestamps] + text_ids + [tokens.eot]
        skip = len(prefix)  # ... and so is <|notimestamps|>
    inputs, targets = sequence[:-1], sequence[1:]
    targets = [IGNORE] * skip + targets[skip:]
    return inputs, targets
