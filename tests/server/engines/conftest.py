"""Shared fixtures of the engine tests: the bundled tiny.en engine, real and synthetic speech."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path
from adapt_server.scoring.text import WHISPER_ENGLISH, Normalizer

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Utterance:
    id: str
    audio: np.ndarray  # float32 (n,), 16 kHz
    text: str  # reference transcript
    turns: tuple[tuple[float, float], ...] = ()  # (start, end) seconds of each spoken turn, when known


@pytest.fixture(scope="session")
def engine() -> WhisperEngine:
    """tiny.en, int8, shared by the engine tests (as the server shares one engine across requests)."""
    return WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")


@pytest.fixture(scope="session")
def asr_corpus(realspeech: Path) -> list[Utterance]:
    """../shared/realspeech/asr: 39 utterances with references (skips when absent)."""
    folder = realspeech / "asr"
    items = [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines() if line.strip()]
    return [Utterance(item["id"], decode_audio(realspeech / item["audio"]).mono, item["text"]) for item in items]


@pytest.fixture(scope="session")
def synthetic_call(tmp_path_factory) -> Utterance:
    """A ~65-s synthetic two-speaker telephone call (espeak-ng voices) with its script as reference."""
    from adapt_server.sampledata import generate_calls

    call = generate_calls(tmp_path_factory.mktemp("calls"), n_calls=1)[0]
    script = json.loads(call.transcript_path.read_text())
    return Utterance(call.id, decode_audio(call.audio_path).mono,
                     " ".join(segment["text"] for segment in script["segments"]),
                     tuple((segment["start"], segment["end"]) for segment in script["segments"]))


@pytest.fixture(scope="session")
def english_normalizer() -> Normalizer:
    """Whisper's English normalizer with openai's spelling map: the one evaluations score with."""
    return Normalizer(WHISPER_ENGLISH)


@pytest.fixture(scope="session")
def tiny_hf_whisper(tmp_path_factory) -> Path:
    """A Hugging Face Whisper directory with random weights (64-dim, 1 layer) and tiny.en's tokenizer."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    import shutil

    folder = tmp_path_factory.mktemp("hf") / "tiny-random-whisper"
    torch.manual_seed(0)
    config = transformers.WhisperConfig(
        vocab_size=51864, num_mel_bins=80, d_model=64, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=128, decoder_ffn_dim=128,
        decoder_start_token_id=50257, bos_token_id=50256, eos_token_id=50256, pad_token_id=50256)
    transformers.WhisperForConditionalGeneration(config).save_pretrained(folder)
    shutil.copy(bundled_model_path() / "tokenizer.json", folder / "tokenizer.json")
    return folder
