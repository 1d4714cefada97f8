"""Import a base Whisper model into torch: a CTranslate2 directory (read exactly) or a Hugging Face one (as is).

CTranslate2's WhisperSpec differs from `transformers.WhisperForConditionalGeneration` in four places
(the mapping below is the inverse of `ctranslate2.converters.transformers.WhisperLoader`):
- self-attention Q/K/V are fused in `self_attention/linear_0` (rows [0:d], [d:2d], [2d:3d]);
- cross-attention K/V are fused in `attention/linear_1` (rows [0:d] K, [d:2d] V), Q is `attention/linear_0`;
- the K projections carry an all-zero bias in CT2 (HF's k_proj has none): it is checked to be zero, not dropped
  silently;
- the output head `decoder/projection/weight` is an alias of the token embedding (HF ties them too).
Loading tiny.en this way gives greedy tokens identical to CTranslate2 (tests/server/training/test_ct2_import.py).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory
from adapt_server.errors import FailedPrecondition
from adapt_server.training.ct2_format import Ct2Model, read_ct2_model

ENGLISH_ONLY_TOKENS = {"eot": 50256, "sot": 50257, "translate": 50357, "transcribe": 50358,
                       "no_timestamps": 50362}  # tiny.en ... medium.en (vocabulary 51864)
MULTILINGUAL_TOKENS = {"eot": 50257, "sot": 50258, "translate": 50358, "transcribe": 50359,
                       "no_timestamps": 50363}  # vocabulary 51865 (large-v3: 51866, shifted by one)
ENGLISH_ONLY_VOCAB_SIZE = 51864


@dataclass
class ImportedModel:
    """A base model in torch, ready to train."""

    model: "transformers.WhisperForConditionalGeneration"  # noqa: F821  float32, eval mode
    tokenizer: "transformers.WhisperTokenizer"  # noqa: F821
    source_format: str  # "ctranslate2" | "huggingface"
    alignment_heads: list[list[int]]  # (layer, head) pairs used for word timestamps
    suppress_tokens: list[int]  # token ids never generated (Whisper's non-speech symbols)
    begin_suppress_tokens: list[int]  # token ids forbidden as the first generated token


def import_base_model(path: Path) -> ImportedModel:
    """Loads a Whisper model directory into torch (float32). CTranslate2 dirs are read exactly from model.bin.

    Raises FailedPrecondition when the directory is not a Whisper model this importer understands.
    """
    path = Path(path)
    try:
        described = inspect_model_directory(path)
    except InvalidModelDirectory as exc:
        raise FailedPrecondition(f"cannot import the base model: {exc}") from None
    if described.format == "huggingface":
        return _import_huggingface(path)
    return _import_ctranslate2(path)


def load_tokenizer(path: Path):
    """The offline transformers tokenizer of a model directory (tokenizer.json; nothing is downloaded)."""
    from transformers import WhisperTokenizer
    path = Path(path)
    if (path / "tokenizer.json").is_file() and not (path / "vocab.json").is_file():
        return WhisperTokenizer(tokenizer_file=str(path / "tokenizer.json"))
    return WhisperTokenizer.from_pretrained(str(path), local_files_only=True)


def _import_huggingface(path: Path) -> ImportedModel:
    from transformers import WhisperForConditionalGeneration
    model = WhisperForConditionalGeneration.from_pretrained(str(path), local_files_only=True,
                                                            dtype=torch.float32).eval()
    generation = model.generation_config
    saved = path / "generation_config.json"  # read as written (transformers may rebuild it from config.json)
    if saved.is_file():
        for key, value in json.loads(saved.read_text(encoding="utf-8")).items():
            if not key.startswith("_") and getattr(generation, key, None) is None:
                setattr(generation, key, value)
    heads = getattr(generation, "alignment_heads", None) or _default_alignment_heads(model.config)
    return ImportedModel(model=model, tokenizer=load_tokenizer(path), source_format="huggingface",
                         alignment_heads=[list(map(int, pair)) for pair in heads],
                         suppress_tokens=list(getattr(generation, "suppress_tokens", None) or []),
                         begin_suppress_tokens=list(getattr(generation, "begin_suppress_tokens", None) or []))


def _import_ctranslate2(path: Path) -> ImportedModel:
    ct2 = read_ct2_model(path / "model.bin")
    if ct2.spec_name != "WhisperSpec":
        raise FailedPrecondition(f"{path}/model.bin holds a {ct2.spec_name}, not a Whisper model")
    ct2_config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    config = whisper_config(ct2, ct2_config)
    from transformers import WhisperForConditionalGeneration
    model = WhisperForConditionalGeneration(config)
    state = ct2_state_dict(ct2, config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [name for name in missing if name != "proj_out.weight"]  # tied to the token embedding
    if missing or unexpected:
        raise FailedPrecondition(f"{path}/model.bin does not match a Whisper model: missing {missing[:5]}, "
                                 f"unexpected {unexpected[:5]}")
    model.tie_weights()
    model.eval()
    _set_generation_config(model, ct2_config, config)
    return ImportedModel(model=model, tokenizer=load_tokenizer(path), source_format="ctranslate2",
                         alignment_heads=[list(map(int, pair)) for pair in ct2_config.get("alignment_heads", [])]
                         or _default_alignment_heads(config),
                         suppress_tokens=list(ct2_config.get("suppress_ids", [])),
                         begin_suppress_tokens=list(ct2_config.get("suppress_ids_begin", [])))


def whisper_config(ct2: Ct2Model, ct2_config: dict) -> "transformers.WhisperConfig":  # noqa: F821
    """A WhisperConfig whose sizes are read from the CT2 variables' shapes."""
    from transformers import WhisperConfig
    vocab, d_model = ct2.get("decoder/embeddings/weight").shape
    n_mels = ct2.get("encoder/conv1/weight").shape[1]
    ffn = ct2.get("encoder/layer_0/ffn/linear_0/weight").shape[0]
    tokens = ENGLISH_ONLY_TOKENS if vocab <= ENGLISH_ONLY_VOCAB_SIZE else _multilingual_tokens(vocab)
    return WhisperConfig(
        vocab_size=int(vocab), num_mel_bins=int(n_mels), d_model=int(d_model),
        encoder_layers=_count_layers(ct2, "encoder"), decoder_layers=_count_layers(ct2, "decoder"),
        encoder_attention_heads=int(ct2.get("encoder/num_heads")),
        decoder_attention_heads=int(ct2.get("decoder/num_heads")),
        encoder_ffn_dim=int(ffn), decoder_ffn_dim=int(ffn),
        max_source_positions=int(ct2.get("encoder/position_encodings/encodings").shape[0]),
        max_target_positions=int(ct2.get("decoder/position_encodings/encodings").shape[0]),
        pad_token_id=tokens["eot"], bos_token_id=tokens["eot"], eos_token_id=tokens["eot"],
        decoder_start_token_id=tokens["sot"], suppress_tokens=list(ct2_config.get("suppress_ids", [])),
        begin_suppress_tokens=list(ct2_config.get("suppress_ids_begin", [])), tie_word_embeddings=True,
        activation_function="gelu", scale_embedding=False, dropout=0.0, attention_dropout=0.0,
        activation_dropout=0.0)


def ct2_state_dict(ct2: Ct2Model, config) -> dict[str, torch.Tensor]:
    """HF parameter name -> float32 tensor for every weight of the CT2 Whisper spec."""
    d = config.d_model
    state: dict[str, torch.Tensor] = {}

    def put(name: str, array: np.ndarray) -> None:
        state[name] = torch.from_numpy(np.array(array, dtype=np.float32))

    def linear(hf: str, ct: str, rows: slice | None = None, bias: bool = True) -> None:
        weight = ct2.get(f"{ct}/weight")
        put(f"{hf}.weight", weight if rows is None else weight[rows])
        if bias:
            put(f"{hf}.bias", ct2.get(f"{ct}/bias") if rows is None else ct2.get(f"{ct}/bias")[rows])

    def zero_bias(ct: str, rows: slice) -> None:
        values = np.asarray(ct2.get(f"{ct}/bias")[rows], dtype=np.float32)
        if np.abs(values).max(initial=0.0) != 0.0:
            raise FailedPrecondition(f"{ct}/bias has a non-zero key bias, which Whisper's k_proj cannot hold")

    def norm(hf: str, ct: str) -> None:
        put(f"{hf}.weight", ct2.get(f"{ct}/gamma"))
        put(f"{hf}.bias", ct2.get(f"{ct}/beta"))

    def fused_self_attention(hf: str, ct: str) -> None:
        linear(f"{hf}.q_proj", f"{ct}/linear_0", slice(0, d))
        linear(f"{hf}.k_proj", f"{ct}/linear_0", slice(d, 2 * d), bias=False)
        zero_bias(f"{ct}/linear_0", slice(d, 2 * d))
        linear(f"{hf}.v_proj", f"{ct}/linear_0", slice(2 * d, 3 * d))
        linear(f"{hf}.out_proj", f"{ct}/linear_1")

    def ffn(hf: str, ct: str) -> None:
        norm(f"{hf}.final_layer_norm", f"{ct}/layer_norm")
        linear(f"{hf}.fc1", f"{ct}/linear_0")
        linear(f"{hf}.fc2", f"{ct}/linear_1")

    for side in ("encoder", "decoder"):
        norm(f"model.{side}.layer_norm", f"{side}/layer_norm")
        put(f"model.{side}.embed_positions.weight", ct2.get(f"{side}/position_encodings/encodings"))
    for conv in ("conv1", "conv2"):
        put(f"model.encoder.{conv}.weight", ct2.get(f"encoder/{conv}/weight"))
        put(f"model.encoder.{conv}.bias", ct2.get(f"encoder/{conv}/bias"))
    put("model.decoder.embed_tokens.weight", ct2.get("decoder/embeddings/weight"))
    for i in range(config.encoder_layers):
        hf, ct = f"model.encoder.layers.{i}", f"encoder/layer_{i}"
        norm(f"{hf}.self_attn_layer_norm", f"{ct}/self_attention/layer_norm")
        fused_self_attention(f"{hf}.self_attn", f"{ct}/self_attention")
        ffn(hf, f"{ct}/ffn")
    for i in range(config.decoder_layers):
        hf, ct = f"model.decoder.layers.{i}", f"decoder/layer_{i}"
        norm(f"{hf}.self_attn_layer_norm", f"{ct}/self_attention/layer_norm")
        fused_self_attention(f"{hf}.self_attn", f"{ct}/self_attention")
        norm(f"{hf}.encoder_attn_layer_norm", f"{ct}/attention/layer_norm")
        linear(f"{hf}.encoder_attn.q_proj", f"{ct}/attention/linear_0")
        linear(f"{hf}.encoder_attn.k_proj", f"{ct}/attention/linear_1", slice(0, d), bias=False)
        zero_bias(f"{ct}/attention/linear_1", slice(0, d))
        linear(f"{hf}.encoder_attn.v_proj", f"{ct}/attention/linear_1", slice(d, 2 * d))
        linear(f"{hf}.encoder_attn.out_proj", f"{ct}/attention/linear_2")
        ffn(hf, f"{ct}/ffn")
    projection = ct2.aliases.get("decoder/projection/weight")
    if projection != "decoder/embeddings/weight" and "decoder/projection/weight" in ct2.variables:
        raise FailedPrecondition("model.bin has an output head that is not tied to the token embedding; "
                                 "this importer only handles Whisper's tied head")
    return state


def _set_generation_config(model, ct2_config: dict, config) -> None:
    """Generation settings transformers' Whisper generate() needs (English-only: no language token)."""
    generation = model.generation_config
    generation._from_model_config = False  # saved as a generation config of its own, loaded back as is
    english_only = config.vocab_size <= ENGLISH_ONLY_VOCAB_SIZE
    tokens = ENGLISH_ONLY_TOKENS if english_only else _multilingual_tokens(config.vocab_size)
    generation.decoder_start_token_id = tokens["sot"]
    generation.eos_token_id = tokens["eot"]
    generation.pad_token_id = tokens["eot"]
    generation.bos_token_id = tokens["eot"]
    generation.no_timestamps_token_id = tokens["no_timestamps"]
    generation.suppress_tokens = list(ct2_config.get("suppress_ids", []))
    generation.begin_suppress_tokens = list(ct2_config.get("suppress_ids_begin", []))
    generation.alignment_heads = [list(map(int, pair)) for pair in ct2_config.get("alignment_heads", [])]
    generation.is_multilingual = not english_only
    generation.max_initial_timestamp_index = 50
    generation.max_length = config.max_target_positions
    if not english_only:
        generation.lang_to_id = {f"<|{code}|>": index for code, index in
                                 zip(_LANGUAGE_CODES, ct2_config.get("lang_ids", []))}
        generation.task_to_id = {"transcribe": tokens["transcribe"], "translate": tokens["translate"]}


def _multilingual_tokens(vocab: int) -> dict[str, int]:
    shift = vocab - 51865  # large-v3 added one language token
    return {name: value + (shift if name != "eot" and name != "sot" else 0)
            for name, value in MULTILINGUAL_TOKENS.items()}


def _count_layers(ct2: Ct2Model, side: str) -> int:
    return len({name.split("/")[1] for name in ct2.variables if re.match(rf"{side}/layer_\d+/", name)})


def _default_alignment_heads(config) -> list[list[int]]:
    """openai/whisper's fallback: every head of the second half of the decoder layers."""
    return [[layer, head] for layer in range(config.decoder_layers // 2, config.decoder_layers)
            for head in range(config.decoder_attention_heads)]


_LANGUAGE_CODES = (
    "en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg lt la mi ml "
    "cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so af oc ka be tg sd gu am "
    "yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su yue").split()
