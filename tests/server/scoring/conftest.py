"""Shared fixtures of the scoring tests: the realspeech ASR manifest and synthetic candidate results."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from adapt_server.scoring import CandidateResult, Normalizer, TranscribedUtterance, score_utterances

VOCABULARY = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
              "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


@pytest.fixture(scope="session")
def asr_manifest(realspeech: Path) -> list[dict]:
    """../shared/realspeech/asr/manifest.jsonl: 39 items with references and tiny.en hypotheses."""
    lines = (realspeech / "asr" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def asr_summary(realspeech: Path) -> dict:
    return json.loads((realspeech / "asr" / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def manifest_utterances(asr_manifest) -> list[TranscribedUtterance]:
    """The manifest as utterances: tiny.en's hypotheses against the references (one recording per item)."""
    return [TranscribedUtterance(item["id"], item["text"], item["whisper_tiny_hyp"], recording_id=item["id"],
                                 speaker=item["speaker"] or "", source=item["source"].split(":")[0],
                                 audio_s=item["duration"]) for item in asr_manifest]


@pytest.fixture(scope="session")
def make_candidate() -> Callable[..., CandidateResult]:
    """A factory of synthetic candidates: `make_candidate(model_id, word_error_probability, seed,
    n_recordings, utterances_per_recording, rtf)`.

    Every candidate sees the same references (10 words each, drawn from a fixed seed); each reference word is
    replaced by another word with `word_error_probability`, drawn from the candidate's own `seed`.
    """
    def make(model_id: str, word_error_probability: float, seed: int, n_recordings: int = 30,
             utterances_per_recording: int = 2, rtf: float = 0.1) -> CandidateResult:
        references = np.random.default_rng(12345)
        errors = np.random.default_rng(seed)
        utterances = []
        for recording in range(n_recordings):
            for index in range(utterances_per_recording):
                words = list(references.choice(VOCABULARY, size=10))
                reference = " ".join(words)
                wrong = errors.random(len(words)) < word_error_probability
                hypothesis = " ".join("wrong" if flag else word for word, flag in zip(words, wrong))
                utterances.append(TranscribedUtterance(
                    f"rec{recording:03d}-utt{index}", reference, hypothesis, recording_id=f"rec{recording:03d}",
                    speaker=f"spk{recording % 4}", source="synthetic", audio_s=4.0, processing_s=4.0 * rtf))
        return CandidateResult(model_id, score_utterances(utterances, Normalizer("basic")))

    return make
