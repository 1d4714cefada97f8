"""The issue's redaction target on generated calls with known PII: >= 95% of PII words muted in the audio
(energy over their true spans) and tagged in the text, with no PII value in the text, spans or logs.

Module level: generated calls -> align_transcript (tiny.en) -> Redactor -> mute. Slow (two ~65-s calls).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.intake.alignment import align_transcript
from adapt_server.intake.redaction import Redactor
from adapt_server.models.bundled import bundled_model_path

pytestmark = pytest.mark.slow
SAMPLE_RATE = 16000
MAX_RESIDUAL_RMS = 0.1  # a word is muted when the RMS left over its true span is <= 10% (>= 99% energy gone)


@dataclass
class Outcome:
    pii_words: int
    muted: int
    tagged: int
    leaks: list[str]


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> Outcome:
    from adapt_server.sampledata import generate_calls

    folder = tmp_path_factory.mktemp("redaction-calls")
    engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8")
    redactor = Redactor(["pii", "phi"])
    result = Outcome(0, 0, 0, [])
    logger = logging.getLogger()
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger.addHandler(handler)
    try:
        for call in generate_calls(folder, n_calls=2):
            audio = decode_audio(call.audio_path).mono
            segments = json.loads(call.transcript_path.read_text())["segments"]
            aligned = align_transcript(audio, " ".join(segment["text"] for segment in segments), engine)
            redacted = redactor.redact(aligned.words)
            clean = redactor.mute(audio, SAMPLE_RATE, redacted.spans)
            words = json.loads((folder / "truth" / f"{call.id}.words.json").read_text())["turns"]
            entities = json.loads((folder / "truth" / f"{call.id}.entities.json").read_text())["entities"]
            first_word = np.cumsum([0] + [len(turn["words"]) for turn in words])
            outputs = redacted.text + repr(redacted.spans) + " ".join(
                redacted.text_of(utterance_range.start, utterance_range.stop)
                for utterance_range in _utterance_ranges(aligned))
            for entity in (entity for entity in entities if entity["pii"]):
                for index in entity["word_indices"]:
                    true_word = words[entity["turn"]]["words"][index]
                    first, last = int(true_word["start"] * SAMPLE_RATE), int(true_word["end"] * SAMPLE_RATE)
                    before = np.sqrt(np.mean(audio[first:last] ** 2))
                    after = np.sqrt(np.mean(clean[first:last] ** 2))
                    result.pii_words += 1
                    result.muted += bool(after <= MAX_RESIDUAL_RMS * before)
                    result.tagged += redacted.word_types[first_word[entity["turn"]] + index] is not None
                for value in {entity["text"], entity["value"]}:
                    if value in outputs:
                        result.leaks.append(f"{entity['type']} in outputs")
            result.leaks += [f"{entity['type']} in logs" for entity in entities if entity["pii"]
                             for record in records if entity["text"] in record or entity["value"] in record]
    finally:
        logger.removeHandler(handler)
    return result


def _utterance_ranges(aligned) -> list[range]:
    ranges, first = [], 0
    for utterance in aligned.utterances:
        ranges.append(range(first, first + len(utterance.words)))
        first += len(utterance.words)
    return ranges


def test_pii_words_are_muted_in_the_audio(outcome):
    assert outcome.pii_words >= 40
    assert outcome.muted / outcome.pii_words >= 0.95, f"{outcome.muted}/{outcome.pii_words} PII words muted"


def test_pii_words_are_tagged_in_the_text(outcome):
    assert outcome.tagged / outcome.pii_words >= 0.95, f"{outcome.tagged}/{outcome.pii_words} PII words tagged"


def test_no_pii_value_in_outputs_or_logs(outcome):
    assert outcome.leaks == []
