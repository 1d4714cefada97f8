"""Tiny randomly initialised checkpoints of the speech families Adapt serves through transformers, made offline.

No package ships weights of Qwen3-ASR, Voxtral, Voxtral Realtime or Cohere Transcribe, so tests use real
architectures with tiny random weights: each checkpoint is built from the family's config class with tiny
dimensions, saved with `save_pretrained` (safetensors), next to a small local tokenizer (a byte-level or
metaspace BPE trained on FIXED_TEXT, plus the family's special tokens) and the processor / feature-extractor
files, so that `AutoProcessor.from_pretrained(dir)` (or, where the processor needs mistral-common, the
tokenizer and feature extractor) and the family's model class load it with HF_HUB_OFFLINE=1.

`make_tiny_checkpoint(family, out_dir, seed=0)` is deterministic: the same (family, seed) gives the same files.
Families: qwen3_asr, qwen3_forced_aligner (Qwen3ASRForTokenClassification), voxtral, voxtral_realtime,
cohere_asr, whisper (Hugging Face format, multilingual with a few languages).

Random models do not stop and barely depend on the audio: callers always bound max_new_tokens.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FAMILIES = ("qwen3_asr", "qwen3_forced_aligner", "voxtral", "voxtral_realtime", "cohere_asr", "whisper")

# A fixed English text the tokenizers are trained on (Harvard sentences and call-centre phrases).
FIXED_TEXT = """\
The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background.
It's easy to tell the depth of a well. These days a chicken leg is a rare dish.
Rice is often served in round bowls. The juice of lemons makes fine punch.
The box was thrown beside the parked truck. The hogs were fed chopped corn and garbage.
Four hours of steady work faced us. A large size in stockings is hard to sell.
Thank you for calling, how can I help you today? My account number is four five six seven.
I would like to change the address on my policy. Please hold while I transfer your call.
The invoice was sent on Monday and paid on Friday. Could you spell your last name for me?
Hello, this is the support line. We will call you back tomorrow morning at nine.
"""
WHISPER_LANGUAGES = ("en", "de", "fr", "es")
COHERE_LANGUAGES = ("ar", "de", "el", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "vi", "zh")
QWEN3_SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|audio_start|>", "<|audio_end|>",
                 "<|audio_pad|>", "<timestamp>")
QWEN3_MARKERS = ("<asr_text>",)  # added but not special: decode(skip_special_tokens=True) keeps it for parsing
# Mistral's control tokens in their tekken order ([AUDIO] must be id 24: VoxtralProcessor hard-codes it).
MISTRAL_SPECIAL = ("<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
                   "[TOOL_RESULTS]", "[/TOOL_RESULTS]", "[TOOL_CALLS]", "[IMG]", "<pad>", "[IMG_BREAK]", "[IMG_END]",
                   "[PREFIX]", "[MIDDLE]", "[SUFFIX]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]", "[TOOL_CONTENT]",
                   "[ARGS]", "[CALL_ID]", "[THINK]", "[/THINK]", "[AUDIO]", "[BEGIN_AUDIO]", "[TRANSCRIBE]",
                   "[STREAMING_PAD]", "[STREAMING_WORD]", "<SPECIAL_29>", "<SPECIAL_30>", "<SPECIAL_31>")
COHERE_SPECIAL = ("<unk>", "<|nospeech|>", "<pad>", "<|endoftext|>", "<|startoftranscript|>", "<|pnc|>", "<|nopnc|>",
                  "<|startofcontext|>", "<|itn|>", "<|noitn|>", "<|timestamp|>", "<|notimestamp|>", "<|diarize|>",
                  "<|nodiarize|>", "<|emo:undefined|>", *(f"<|{code}|>" for code in COHERE_LANGUAGES))
INITIALIZER_RANGE = 0.5  # std of the random weights: larger than the real 0.02, so outputs vary with the audio
BPE_VOCAB_SIZE = 600  # learned tokens (bytes/characters + merges) before the special tokens

# The chat template of Qwen3-ASR in Hugging Face format: system text, one audio placeholder per audio item,
# then the assistant turn (its text is what the model generates; the generation markers let
# return_assistant_tokens_mask find it).
QWEN3_ASR_CHAT_TEMPLATE = (
    "{%- set state = namespace(system='', audio='') -%}"
    "{%- for message in messages -%}"
    "{%- if message.content is string -%}"
    "{%- if message.role == 'system' -%}{%- set state.system = state.system + message.content -%}{%- endif -%}"
    "{%- else -%}{%- for part in message.content -%}"
    "{%- if message.role == 'system' and part.type == 'text' -%}{%- set state.system = state.system + part.text -%}"
    "{%- elif part.type == 'audio' or 'audio' in part or 'audio_url' in part -%}"
    "{%- set state.audio = state.audio + '<|audio_start|><|audio_pad|><|audio_end|>' -%}{%- endif -%}"
    "{%- endfor -%}{%- endif -%}"
    "{%- endfor -%}"
    "{{- '<|im_start|>system\\n' + state.system + '<|im_end|>\\n' -}}"
    "{{- '<|im_start|>user\\n' + state.audio + '<|im_end|>\\n' -}}"
    "{%- for message in messages if message.role == 'assistant' -%}"
    "{%- set reply = namespace(text='') -%}"
    "{%- if message.content is string -%}{%- set reply.text = message.content -%}"
    "{%- else -%}{%- for part in message.content if part.type == 'text' -%}"
    "{%- set reply.text = reply.text + part.text -%}{%- endfor -%}{%- endif -%}"
    "{{- '<|im_start|>assistant\\n' -}}"
    "{% generation %}{{- reply.text + '<|im_end|>\\n' -}}{% endgeneration %}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}"
)
# The forced aligner's template: the audio, then every word followed by a start and an end <timestamp>.
QWEN3_ALIGNER_CHAT_TEMPLATE = (
    "{%- set state = namespace(audio='', words=[]) -%}"
    "{%- for message in messages if message.content is not string -%}{%- for part in message.content -%}"
    "{%- if part.type == 'audio' or 'audio' in part or 'audio_url' in part -%}"
    "{%- set state.audio = state.audio + '<|audio_start|><|audio_pad|><|audio_end|>' -%}"
    "{%- elif part.type == 'text' -%}{%- set state.words = state.words + [part.text] -%}{%- endif -%}"
    "{%- endfor -%}{%- endfor -%}"
    "{{- state.audio + state.words | join('<timestamp><timestamp>') + '<timestamp><timestamp>' -}}"
)


def make_tiny_checkpoint(family: str, out_dir: Path, seed: int = 0) -> Path:
    """Writes a tiny random checkpoint of `family` into out_dir (created) and returns out_dir.

    A few MB, a few seconds. Deterministic in (family, seed)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose from {', '.join(FAMILIES)}")
    import torch
    from transformers.utils import logging

    logging.disable_progress_bar()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = {"qwen3_asr": _qwen3_asr, "qwen3_forced_aligner": _qwen3_forced_aligner, "voxtral": _voxtral,
               "voxtral_realtime": _voxtral_realtime, "cohere_asr": _cohere_asr, "whisper": _whisper}[family]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        builder(out_dir)
    return out_dir


# ------------------------------------------------------------------------------------------------------------
# tokenizers


def _byte_level_bpe(special: tuple[str, ...]):
    """A byte-level BPE (GPT-2 style) trained on FIXED_TEXT, the special tokens first (ids 0..)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=BPE_VOCAB_SIZE + len(special), special_tokens=list(special),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tokenizer.train_from_iterator(FIXED_TEXT.splitlines(), trainer=trainer)
    return tokenizer


def _vocab_and_merges(tokenizer) -> tuple[dict[str, int], list[tuple[str, str]]]:
    data = json.loads(tokenizer.to_str())
    merges = [tuple(merge.split(" ")) if isinstance(merge, str) else tuple(merge) for merge in data["model"]["merges"]]
    return data["model"]["vocab"], merges


def _metaspace_bpe(special: tuple[str, ...]):
    """A SentencePiece-style BPE ("▁" marks word starts) trained on FIXED_TEXT, special tokens first."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    alphabet = sorted(set(FIXED_TEXT.replace("\n", " ").replace(" ", "▁")) | {"▁"})
    trainer = trainers.BpeTrainer(vocab_size=BPE_VOCAB_SIZE + len(special), special_tokens=list(special),
                                  initial_alphabet=alphabet, show_progress=False)
    tokenizer.train_from_iterator(FIXED_TEXT.splitlines(), trainer=trainer)
    return tokenizer


def _fast_tokenizer(tokenizer, special: tuple[str, ...], **kwargs):
    """A transformers TokenizersBackend over `tokenizer`, its special tokens registered as such."""
    from transformers import TokenizersBackend
    from transformers.tokenization_utils_base import AddedToken

    wrapped = TokenizersBackend(tokenizer_object=tokenizer, **kwargs)
    wrapped.add_special_tokens({"additional_special_tokens": [AddedToken(token, special=True) for token in special]})
    return wrapped


# ------------------------------------------------------------------------------------------------------------
# families


def _qwen3_tokenizer():
    from transformers import Qwen2Tokenizer

    vocab, merges = _vocab_and_merges(_byte_level_bpe(QWEN3_SPECIAL + QWEN3_MARKERS))
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token="<|endoftext|>", eos_token="<|im_end|>",
                               pad_token="<|endoftext|>",
                               extra_special_tokens={"audio_token": "<|audio_pad|>",
                                                     "audio_bos_token": "<|audio_start|>",
                                                     "audio_eos_token": "<|audio_end|>"})
    tokenizer.add_special_tokens({"additional_special_tokens": list(QWEN3_SPECIAL)})
    tokenizer.add_tokens(list(QWEN3_MARKERS))
    return tokenizer


def _qwen3_config(tokenizer, **extra):
    from transformers import Qwen3ASRConfig

    ids = tokenizer.convert_tokens_to_ids
    vocab_size = len(tokenizer)
    audio = {"num_mel_bins": 128, "encoder_layers": 1, "encoder_attention_heads": 2, "encoder_ffn_dim": 64,
             "d_model": 32, "output_dim": 32, "n_window": 50, "n_window_infer": 800, "downsample_hidden_size": 8,
             "max_position_embeddings": 13, "initializer_range": INITIALIZER_RANGE}
    text = {"model_type": "qwen3", "vocab_size": vocab_size, "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
            "max_position_embeddings": 4096, "tie_word_embeddings": True, "initializer_range": INITIALIZER_RANGE}
    return Qwen3ASRConfig(audio_config=audio, text_config=text, audio_token_id=ids("<|audio_pad|>"),
                          timestamp_token_id=ids("<timestamp>"), pad_token_id=ids("<|endoftext|>"),
                          eos_token_id=[ids("<|endoftext|>"), ids("<|im_end|>")], initializer_range=INITIALIZER_RANGE,
                          **extra)


def _qwen3_processor(tokenizer, chat_template: str):
    from transformers import Qwen3ASRFeatureExtractor, Qwen3ASRProcessor

    return Qwen3ASRProcessor(feature_extractor=Qwen3ASRFeatureExtractor(), tokenizer=tokenizer,
                             chat_template=chat_template)


def _qwen3_asr(out_dir: Path) -> None:
    from transformers import GenerationConfig, Qwen3ASRForConditionalGeneration

    tokenizer = _qwen3_tokenizer()
    config = _qwen3_config(tokenizer)
    model = Qwen3ASRForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(eos_token_id=list(config.eos_token_id),
                                               pad_token_id=config.pad_token_id, do_sample=False, max_new_tokens=32)
    model.save_pretrained(out_dir)
    _qwen3_processor(tokenizer, QWEN3_ASR_CHAT_TEMPLATE).save_pretrained(out_dir)


def _qwen3_forced_aligner(out_dir: Path) -> None:
    from transformers import Qwen3ASRForTokenClassification

    tokenizer = _qwen3_tokenizer()
    config = _qwen3_config(tokenizer, num_labels=400)  # 400 classes x 80 ms = 32 s
    Qwen3ASRForTokenClassification(config).eval().save_pretrained(out_dir)
    _qwen3_processor(tokenizer, QWEN3_ALIGNER_CHAT_TEMPLATE).save_pretrained(out_dir)


def _mistral_tokenizer():
    from tokenizers import AddedToken

    bpe = _byte_level_bpe(MISTRAL_SPECIAL)
    bpe.add_special_tokens([AddedToken(token, special=True) for token in MISTRAL_SPECIAL])
    return _fast_tokenizer(bpe, MISTRAL_SPECIAL, bos_token="<s>", eos_token="</s>", unk_token="<unk>",
                           pad_token="<pad>")


def _voxtral(out_dir: Path) -> None:
    from transformers import (
        GenerationConfig, VoxtralConfig, VoxtralForConditionalGeneration, VoxtralProcessor, WhisperFeatureExtractor)

    tokenizer = _mistral_tokenizer()
    # intermediate_size is 4 x hidden_size as in the real encoder: the projector stacks 4 frames (375 per 30 s)
    audio = {"hidden_size": 32, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 2,
             "num_mel_bins": 128, "max_source_positions": 1500}
    text = {"model_type": "llama", "vocab_size": len(tokenizer), "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16,
            "max_position_embeddings": 4096, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 11}
    config = VoxtralConfig(audio_config={**audio, "initializer_range": INITIALIZER_RANGE},
                           text_config={**text, "initializer_range": INITIALIZER_RANGE},
                           audio_token_id=tokenizer.convert_tokens_to_ids("[AUDIO]"))
    model = VoxtralForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, pad_token_id=11, do_sample=False,
                                               max_new_tokens=32)
    model.save_pretrained(out_dir)
    extractor = WhisperFeatureExtractor(feature_size=128)
    VoxtralProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(out_dir)


def _voxtral_realtime(out_dir: Path) -> None:
    from transformers import (
        GenerationConfig, VoxtralRealtimeConfig, VoxtralRealtimeFeatureExtractor,
        VoxtralRealtimeForConditionalGeneration)

    tokenizer = _mistral_tokenizer()
    audio = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2,
             "num_key_value_heads": 2, "head_dim": 16, "num_mel_bins": 128, "sliding_window": 750,
             "max_position_embeddings": 1500}
    text = {"vocab_size": len(tokenizer), "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
            "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 16, "sliding_window": 4096,
            "bos_token_id": 1, "eos_token_id": 2}
    config = VoxtralRealtimeConfig(audio_config={**audio, "initializer_range": INITIALIZER_RANGE},
                                   text_config={**text, "initializer_range": INITIALIZER_RANGE})
    model = VoxtralRealtimeForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(bos_token_id=1, eos_token_id=2, do_sample=False)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    VoxtralRealtimeFeatureExtractor().save_pretrained(out_dir)  # the processor itself needs mistral-common


def _cohere_asr(out_dir: Path) -> None:
    from transformers import (
        CohereAsrConfig, CohereAsrFeatureExtractor, CohereAsrForConditionalGeneration, CohereAsrProcessor,
        GenerationConfig)

    tokenizer = _fast_tokenizer(_metaspace_bpe(COHERE_SPECIAL), COHERE_SPECIAL, unk_token="<unk>", pad_token="<pad>",
                                eos_token="<|endoftext|>", bos_token="<|startoftranscript|>")
    ids = tokenizer.convert_tokens_to_ids
    encoder = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
               "conv_kernel_size": 9, "subsampling_factor": 8, "subsampling_conv_channels": 8, "num_mel_bins": 128,
               "max_position_embeddings": 5000, "initializer_range": INITIALIZER_RANGE, "dropout": 0.0,
               "layerdrop": 0.0, "activation_dropout": 0.0, "attention_dropout": 0.0}
    config = CohereAsrConfig(encoder_config=encoder, vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1,
                             num_attention_heads=2, intermediate_size=64, max_position_embeddings=1024,
                             pad_token_id=ids("<pad>"), eos_token_id=ids("<|endoftext|>"),
                             bos_token_id=ids("<|startoftranscript|>"), initializer_range=INITIALIZER_RANGE,
                             decoder_start_token_id=ids("▁"))  # the processor's decoder prompt starts with "▁"
    model = CohereAsrForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(bos_token_id=config.bos_token_id, eos_token_id=config.eos_token_id,
                                               pad_token_id=config.pad_token_id,
                                               decoder_start_token_id=config.decoder_start_token_id, do_sample=False,
                                               max_new_tokens=32)
    model.save_pretrained(out_dir)
    CohereAsrProcessor(feature_extractor=CohereAsrFeatureExtractor(), tokenizer=tokenizer).save_pretrained(out_dir)


def _whisper(out_dir: Path) -> None:
    from transformers import (
        GenerationConfig, WhisperConfig, WhisperFeatureExtractor, WhisperForConditionalGeneration, WhisperProcessor,
        WhisperTokenizer)

    special = ("<|endoftext|>", "<|startoftranscript|>", *(f"<|{code}|>" for code in WHISPER_LANGUAGES),
               "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>",
               "<|notimestamps|>", *(f"<|{index * 0.02:.2f}|>" for index in range(1501)))
    vocab, merges = _vocab_and_merges(_byte_level_bpe(("<|endoftext|>",)))
    tokenizer = WhisperTokenizer(vocab=vocab, merges=merges, unk_token="<|endoftext|>", bos_token="<|endoftext|>",
                                 eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": list(special[1:])})
    ids = tokenizer.convert_tokens_to_ids
    config = WhisperConfig(vocab_size=len(tokenizer), num_mel_bins=128, d_model=32, encoder_layers=1,
                           encoder_attention_heads=2, decoder_layers=1, decoder_attention_heads=2,
                           encoder_ffn_dim=64, decoder_ffn_dim=64, max_source_positions=1500,
                           max_target_positions=448, pad_token_id=ids("<|endoftext|>"), init_std=INITIALIZER_RANGE,
                           bos_token_id=ids("<|endoftext|>"), eos_token_id=ids("<|endoftext|>"),
                           decoder_start_token_id=ids("<|startoftranscript|>"), begin_suppress_tokens=None,
                           suppress_tokens=None)
    model = WhisperForConditionalGeneration(config).eval()
    generation = GenerationConfig(
        bos_token_id=config.bos_token_id, eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id,
        decoder_start_token_id=config.decoder_start_token_id, do_sample=False, max_length=448,
        is_multilingual=True, lang_to_id={f"<|{code}|>": ids(f"<|{code}|>") for code in WHISPER_LANGUAGES},
        task_to_id={"transcribe": ids("<|transcribe|>"), "translate": ids("<|translate|>")},
        no_timestamps_token_id=ids("<|notimestamps|>"), prev_sot_token_id=ids("<|startofprev|>"),
        max_initial_timestamp_index=50, alignment_heads=[[0, 0], [0, 1]], begin_suppress_tokens=[],
        suppress_tokens=[])
    model.generation_config = generation
    model.save_pretrained(out_dir)
    extractor = WhisperFeatureExtractor(feature_size=128)
    WhisperProcessor(feature_extractor=extractor, tokenizer=tokenizer).save_pretrained(out_dir)


class TinyCheckpoints:
    """Tiny checkpoints made once under `root` and reused (tests cache one per session)."""

    def __init__(self, root: Path, seed: int = 0):
        self.root = Path(root)
        self.seed = seed

    def __call__(self, family: str) -> Path:
        target = self.root / family
        if not (target / "config.json").is_file():
            make_tiny_checkpoint(family, target, self.seed)
        return target
