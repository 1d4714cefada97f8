"""The redact step on a generated call with known PII, given the call's true word times (so this tests the
step's wiring: tags in text and words, muted audio, audit spans, dropped utterances; not the aligner)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.intake.steps.base import RecordingWork, UtteranceDraft
from adapt_server.intake.steps.redact import RedactConfig, RedactStep
from adapt_server.intake.steps.resources import StepResources
from adapt_server.spans import Word

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def call(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("call")
    [info] = generate_calls(root, n_calls=1, seed=5, split="train")
    samples = decode_audio(info.audio_path, sample_rate=16000).samples[0]
    words = json.loads((root / "truth" / f"{info.id}.words.json").read_text())
    entities = json.loads((root / "truth" / f"{info.id}.entities.json").read_text())["entities"]
    utterances = tuple(UtteranceDraft(start=t["start"], end=t["end"], text=t["text"],
                                      words=tuple(Word(w["start"], w["end"], w["word"], 1.0) for w in t["words"]))
                       for t in words["turns"])
    return RecordingWork(samples=samples, name=info.id, utterances=utterances), entities


@pytest.fixture(scope="module")
def redacted(call):
    work, _ = call
    config = RedactStep.parse("pipeline[1] (redact)", {"drop_utterances_with": ["PERSON"]}, None)
    return RedactStep.run(config, work, StepResources(store=None, config=None))


def _rms(samples: np.ndarray, start: float, end: float) -> float:
    return float(np.sqrt(np.mean(np.square(samples[int(start * 16000):int(end * 16000)])) + 1e-12))


def test_pii_words_are_tagged_muted_and_audited(call, redacted):
    original, entities = call
    pii = [e for e in entities if e["pii"]]
    assert redacted.redacted and len(redacted.redactions) >= 0.8 * len(pii)
    muted = sum(_rms(redacted.samples, e["start"], e["end"]) < 0.1 * _rms(original.samples, e["start"], e["end"])
                for e in pii)
    assert muted / len(pii) >= 0.9, (muted, len(pii))
    texts = " ".join(u.text for u in redacted.utterances).lower()
    words = " ".join(w.text for u in redacted.utterances for w in u.words).lower()
    for entity in pii:
        if entity["type"] in ("PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"):
            assert entity["text"].lower() not in texts
            assert entity["text"].lower() not in words
    assert "[person]" in texts and "[person]" in words
    for span in redacted.redactions:
        assert span.end > span.start and span.entity_type == span.entity_type.upper()
        assert not hasattr(span, "text") and not hasattr(span, "value")


def test_audio_outside_entities_is_untouched(call, redacted):
    original, _ = call
    spans = [(s.start, s.end) for s in redacted.redactions]
    keep = np.ones(original.samples.shape[0], dtype=bool)
    for a, b in spans:
        keep[int(max(0, a - 0.5) * 16000):int((b + 0.5) * 16000)] = False
    assert np.allclose(redacted.samples[keep], original.samples[keep])


def test_utterances_with_a_dropped_type_leave_training(redacted):
    flagged = [u for u in redacted.utterances if u.flag]
    assert flagged and all(u.flag == "redacted:PERSON" and "[PERSON]" in u.text for u in flagged)
