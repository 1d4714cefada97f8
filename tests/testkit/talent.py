"""A synthetic voice talent for the voices tests: Piper's joe (a stock voice standing in for a person) reads the
consent statement and a few sentences that become a real dataset, with speaker-labelled JSON sidecars; an
espeak-ng voice ("ana") is a second speaker in the dataset and the impostor who reads the statement too.

Everything is 16-kHz PCM16 WAV written with the project's own code; nothing is downloaded.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.audio.encode import encode_speech, output_format, resample
from adapt_server.sampledata.espeak import EspeakVoice, synthesize as espeak
from adapt_server.tts import catalog, piper
from adapt_server.voices.consent_statement import STATEMENT_TEMPLATE, expected_statement

TALENT_NAME, COMPANY = "Daniel Parker", "Northwind"
TALENT_VOICE = "piper-joe"
TALENT_LABEL, OTHER_LABEL = "joe", "ana"
OTHER_VOICE = EspeakVoice("en-us+f3", rate_wpm=155, pitch=55, pitch_range=75, word_gap_10ms=1)
DATASET_SENTENCES = ("Please send the report before noon tomorrow.", "Our office is closed on public holidays.",
                     "The package arrived two days late.", "We will review the contract next week.")
OTHER_SENTENCE = "I will call the customer back after lunch."
RATE = 16000


def talent_speech(text: str) -> np.ndarray:
    """float32 (n,) 16-kHz speech of `text` by the talent, the same samples on every call."""
    voice = _deterministic_talent()
    return resample(voice.synthesize(text), voice.info.sample_rate, RATE)


def _deterministic_talent() -> piper.PiperSynthesizer:
    """Piper's joe with its VITS noise off. The stock voice samples noise inside the ONNX graph on every call
    (onnxruntime.set_seed does not fix it): whisper-tiny.en heard the statement's "I Daniel Parker" as "Idential
    Parker" in about one take of six, and the consent check then refused it (a flaky fixture). With the noise at 0
    the talent reads the same way every time, and tiny.en hears the name. The shared stock model is not changed."""
    model = copy.copy(catalog.piper_model(None))  # shares the ONNX session; only the two scales differ
    model.noise_scale, model.noise_w = 0.0, 0.0
    return piper.PiperSynthesizer(model, catalog.stock_info(TALENT_VOICE))


def other_speech(text: str) -> np.ndarray:
    clip = espeak(text, OTHER_VOICE)
    return resample(clip.samples.astype(np.float32) / 32768.0, clip.sample_rate, RATE)


def wav_bytes(samples: np.ndarray) -> bytes:
    return encode_speech(samples, RATE, output_format("wav", RATE, RATE))


def _write(folder: Path, stem: str, samples: np.ndarray, text: str, speaker: str) -> None:
    (folder / f"{stem}.wav").write_bytes(wav_bytes(samples))
    (folder / f"{stem}.json").write_text(json.dumps({"segments": [
        {"start": 0.0, "end": round(samples.size / RATE, 3), "text": text, "speaker": speaker}]}))


@dataclass(frozen=True)
class Talent:
    dataset_dir: Path          # joe's sentences and one of ana's, with speaker-labelled sidecars
    statement: bytes           # joe reading the consent statement (WAV)
    statement_by_other: bytes  # ana reading joe's statement
    statement_no_company: bytes  # joe reading the statement without the company
    statement_no_name: bytes   # joe reading the statement without his name


def make_talent(root: Path) -> Talent:
    dataset_dir = root / "talent"
    dataset_dir.mkdir(parents=True, exist_ok=True)
    for index, sentence in enumerate(DATASET_SENTENCES, start=1):
        _write(dataset_dir, f"joe-{index:02d}", talent_speech(sentence), sentence, TALENT_LABEL)
    _write(dataset_dir, "ana-01", other_speech(OTHER_SENTENCE), OTHER_SENTENCE, OTHER_LABEL)
    statement = expected_statement(TALENT_NAME, COMPANY)
    without_company = STATEMENT_TEMPLATE.replace(" by {company}", "").format(name=TALENT_NAME)
    without_name = STATEMENT_TEMPLATE.replace(" {name}", "").format(company=COMPANY)
    return Talent(dataset_dir, wav_bytes(talent_speech(statement)), wav_bytes(other_speech(statement)),
                  wav_bytes(talent_speech(without_company)), wav_bytes(talent_speech(without_name)))
