"""Fixtures of the alignment tests: the bundled tiny.en engine and one generated call with exact word times."""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path


@dataclass(frozen=True)
class GeneratedCall:
    audio: np.ndarray  # float32 (n,), 16 kHz
    text: str  # the whole call's transcript
    words: list[dict]  # every word: {"word", "start", "end", ...} (exact times from the renderer)
    turns: list[dict]  # {"start", "end", "speaker", ...} per turn


@pytest.fixture(scope="session")
def engine() -> WhisperEngine:
    return WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")


@pytest.fixture(scope="session")
def generated_call(tmp_path_factory) -> GeneratedCall:
    from adapt_server.sampledata import generate_calls

    folder = tmp_path_factory.mktemp("alignment-calls")
    call = generate_calls(folder, n_calls=1)[0]
    segments = json.loads(call.transcript_path.read_text())["segments"]
    truth = json.loads((folder / "truth" / f"{call.id}.words.json").read_text())
    return GeneratedCall(decode_audio(call.audio_path).mono, " ".join(segment["text"] for segment in segments),
                         [word for turn in truth["turns"] for word in turn["words"]], segments)
