"""Per family: the model inputs of a batch of clips (features through the family's own processor, the prompt)
and the transcript (text, language) of the generated tokens.

Prompts follow each family's documented request:
- qwen3_asr: `processor.apply_transcription_request(audio, language=...)` (the chat template; a given language is
  prefilled as "language <Name><asr_text>", else the model writes it and it is parsed back);
- voxtral: mistral-common's transcription request written by hand (its processor needs mistral-common for it):
  `<s>[INST][BEGIN_AUDIO][AUDIO]x375 per 30 s[/INST]` + `lang:xx` (when given) + `[TRANSCRIBE]`;
- voxtral_realtime: see `realtime.py` (BOS + [STREAMING_PAD] x (left pad + delay) over padded audio);
- cohere_asr: `processor(audio, sampling_rate=16000, language=xx)` (a 10-token decoder prompt);
- whisper: the feature extractor (30-s log-mel) and `generate(language=..., task="transcribe")`.
Clips are float32 (n,) 16 kHz arrays of at most 30 s.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.engines.transformers.families import QWEN3_LANGUAGES, SAMPLE_RATE

VOXTRAL_CHUNK_SAMPLES = 30 * SAMPLE_RATE  # Voxtral encodes audio in 30-s chunks (3000 mel frames)


@dataclass(frozen=True)
class Batch:
    """Model inputs of one batch: `inputs` go to `generate` together with `generate_kwargs`; the generated
    tokens of row i start at `prompt_length` in the returned sequences."""

    inputs: dict  # name -> torch tensor
    prompt_length: int  # tokens of the (padded) prompt that generate returns before the new tokens
    generate_kwargs: dict


class FamilyCodec:
    """Builds inputs and reads outputs of one family; `processor` holds the tokenizer and feature extractor."""

    def __init__(self, processor, tokenizer, config, generation_config):
        self.processor = processor
        self.tokenizer = tokenizer
        self.config = config
        self.generation_config = generation_config

    def batch(self, clips: list[np.ndarray], language: str, context: str | None) -> Batch:
        raise NotImplementedError

    def parse(self, tokens: list[int], language: str) -> tuple[str, str]:
        """(text, language code) of the generated tokens (the language given, or the detected one, or "")."""
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip(), language

    def eos_ids(self) -> set[int]:
        value = self.generation_config.eos_token_id if self.generation_config is not None else None
        if value is None:
            value = getattr(self.config, "eos_token_id", None)
        return set(value if isinstance(value, (list, tuple)) else [value]) - {None}


class Qwen3AsrCodec(FamilyCodec):
    _code_of = {name.lower(): code for code, name in QWEN3_LANGUAGES.items()}

    def batch(self, clips, language, context):
        # One request per clip, then padded together: the feature extractor's log-mel clamps to the maximum of
        # everything it is given at once, so featurizing a batch together would make items depend on each other.
        single = [self.processor.apply_transcription_request(clip, language=language or None, prompt=context)
                  for clip in clips]
        pad_id = self.tokenizer.pad_token_id
        inputs = {"input_ids": _stack([item["input_ids"][0] for item in single], pad_id, left=True),
                  "attention_mask": _stack([item["attention_mask"][0] for item in single], 0, left=True),
                  "input_features": _stack([item["input_features"][0].T for item in single], 0.0).transpose(1, 2),
                  "input_features_mask": _stack([item["input_features_mask"][0] for item in single], 0)}
        return Batch(inputs=inputs, prompt_length=int(inputs["input_ids"].shape[1]), generate_kwargs={})

    def parse(self, tokens, language):
        parsed = self.processor.decode(tokens, return_format="parsed")
        detected = parsed.get("language") or ""
        code = self._code_of.get(detected.strip().lower(), detected.strip().lower()) if detected else ""
        return parsed["transcription"], language or code


class VoxtralCodec(FamilyCodec):
    def batch(self, clips, language, context):
        import torch

        extractor = self.processor.feature_extractor
        features = [extractor(clip, sampling_rate=SAMPLE_RATE, padding=True, truncation=False,
                              pad_to_multiple_of=VOXTRAL_CHUNK_SAMPLES, return_tensors="pt")["input_features"]
                    for clip in clips]
        ids = self.tokenizer.convert_tokens_to_ids
        audio = [ids("[BEGIN_AUDIO]")] + [self.config.audio_token_id] * self.audio_tokens_per_chunk()
        prompt = [ids("<s>"), ids("[INST]"), *audio, ids("[/INST]")]
        if language:
            prompt += self.tokenizer.encode(f"lang:{language}", add_special_tokens=False)
        prompt.append(ids("[TRANSCRIBE]"))
        input_ids = torch.tensor([prompt] * len(clips), dtype=torch.long)
        return Batch(inputs={"input_ids": input_ids, "attention_mask": torch.ones_like(input_ids),
                             "input_features": torch.cat(features)}, prompt_length=len(prompt), generate_kwargs={})

    def audio_tokens_per_chunk(self) -> int:
        """[AUDIO] tokens per 30-s chunk: encoder frames (max_source_positions) / frames stacked by the projector."""
        audio = self.config.audio_config
        return audio.max_source_positions // (audio.intermediate_size // audio.hidden_size)


class CohereAsrCodec(FamilyCodec):
    def batch(self, clips, language, context):
        inputs = self.processor(list(clips), sampling_rate=SAMPLE_RATE, language=language)
        inputs = {name: value for name, value in inputs.items() if name != "audio_chunk_index"}
        return Batch(inputs=inputs, prompt_length=int(inputs["decoder_input_ids"].shape[1]), generate_kwargs={})


class WhisperCodec(FamilyCodec):
    def batch(self, clips, language, context):
        features = self.processor.feature_extractor(list(clips), sampling_rate=SAMPLE_RATE, return_tensors="pt")
        kwargs = {"task": "transcribe", "return_timestamps": False, "suppress_tokens": self.timestamp_tokens()}
        if self.multilingual:
            kwargs["language"] = language or None
        return Batch(inputs={"input_features": features["input_features"]}, prompt_length=0, generate_kwargs=kwargs)

    def timestamp_tokens(self) -> list[int]:
        """Ids of <|0.00|>..<|30.00|>: suppressed, as a plain transcription has none (a model that emits one would
        send transformers' Whisper generate into its segment-seeking long-form path)."""
        first = self.generation_config.no_timestamps_token_id + 1
        return list(range(first, self.config.vocab_size))

    @property
    def multilingual(self) -> bool:
        return bool(getattr(self.generation_config, "is_multilingual", False))

    def parse(self, tokens, language):
        if self.multilingual and not language:
            lang_to_id = getattr(self.generation_config, "lang_to_id", None) or {}
            by_id = {token_id: token.strip("<|>") for token, token_id in lang_to_id.items()}
            language = next((by_id[token] for token in tokens if token in by_id), "")
        return self.tokenizer.decode(tokens, skip_special_tokens=True).strip(), language or (
            "" if self.multilingual else "en")


def _stack(rows: list, value, left: bool = False):
    """Tensors of shape (n_i, ...) padded with `value` to the longest (at the start when `left`): (B, n, ...)."""
    import torch

    longest = max(row.shape[0] for row in rows)
    out = torch.full((len(rows), longest, *rows[0].shape[1:]), value, dtype=rows[0].dtype)
    for index, row in enumerate(rows):
        if left:
            out[index, longest - row.shape[0]:] = row
        else:
            out[index, :row.shape[0]] = row
    return out


CODECS = {"qwen3_asr": Qwen3AsrCodec, "voxtral": VoxtralCodec, "cohere_asr": CohereAsrCodec, "whisper": WhisperCodec}
