"""Dataset stats from rows: diarized speakers, alignment, pseudo labels, redaction counts, splits; OOV on
redacted text never counts (or shows) an entity tag."""
from __future__ import annotations

import pytest

from adapt_server.intake.stats import dataset_stats
from adapt_server.store.datasets import RecordingRow, RedactionRow, TurnRow, UtteranceRow


def _rec(rid: str, uri: str, seconds: float, **kw) -> RecordingRow:
    return RecordingRow(rid, "ds", uri, -1, "sha", seconds, 8000, 1, "pcm_mulaw", **kw)


def test_pipeline_stats():
    recordings = [_rec("r1", "/d/call_a.wav", 60.0, alignment_score=0.9, redacted=True, split="train", speech_s=40.0),
                  _rec("r2", "/d/call_b.wav", 30.0, alignment_score=0.2, split="holdout"),
                  _rec("r3", "/d/call_c.wav", 30.0, alignment_score=0.7, split="train")]
    w = ((0.0, 0.5, "hello", 0.9), (0.5, 1.0, "[PERSON]", 0.8))
    utterances = [
        ("r1", UtteranceRow(0, 0.0, 1.0, "voice-1", "hello [PERSON] zentrix", "reference", w, 0.85, "", "train")),
        ("r1", UtteranceRow(1, 1.0, 2.0, "voice-2", "my number is [PHONE_NUMBER]", "reference", w, 0.8,
                            "redacted:PHONE_NUMBER", "train")),
        ("r2", UtteranceRow(0, 0.0, 3.0, "voice-3", "words that do not match", "reference", w, 0.3, "low_alignment",
                            "holdout")),
        ("r3", UtteranceRow(0, 0.0, 3.0, "call_c:spk0", "a pseudo label", "pseudo", w, 0.9, "", "train")),
    ]
    turns = [("r1", TurnRow(0.0, 1.0, "voice-1")), ("r1", TurnRow(1.0, 2.0, "voice-2")),
             ("r1", TurnRow(0.0, 1.0, "spk0", "diarize")), ("r1", TurnRow(1.0, 2.0, "spk1", "diarize")),
             ("r3", TurnRow(0.0, 3.0, "spk0", "diarize")), ("r3", TurnRow(3.0, 4.0, "spk1", "diarize"))]
    redactions = [("r1", RedactionRow(0, "PERSON", 0.5, 1.0)), ("r1", RedactionRow(1, "PHONE_NUMBER", 1.2, 1.9)),
                  ("r1", RedactionRow(1, "PERSON", 1.9, 2.0))]
    s = dataset_stats(recordings, utterances, turns, files_failed=1, redactions=redactions)
    # r1's speakers come from its reference; r3 has none, so its two diarized speakers count (call_c:spk0 once)
    assert s["speakers"] == 3 + 2
    assert s["diarized_recordings"] == 2 and s["diarized_speakers"] == 4
    assert s["aligned_recordings"] == 3 and s["aligned_words"] == 8
    assert s["mean_alignment_score"] == pytest.approx((0.9 + 0.2) / 2)  # r3 was pseudo-labelled, not aligned
    assert s["low_alignment_recordings"] == 1
    assert s["pseudo_utterances"] == 1 and s["pseudo_label_share"] == 0.25
    assert s["redactions"] == [{"entity_type": "PERSON", "count": 2}, {"entity_type": "PHONE_NUMBER", "count": 1}]
    assert s["redacted_recordings"] == 1 and s["redacted_seconds"] == pytest.approx(1.3)
    assert s["dropped_utterances"] == 1
    assert (s["train_recordings"], s["holdout_recordings"]) == (2, 1)
    assert s["train_hours"] == pytest.approx(90 / 3600) and s["holdout_hours"] == pytest.approx(30 / 3600)
    assert (s["train_utterances"], s["holdout_utterances"]) == (2, 0)  # flagged ones are not usable
    assert s["speech_hours"] == pytest.approx(40 / 3600)
    tops = {entry["word"] for entry in s["top_oov_words"]}
    assert "zentrix" in tops and not {"person", "phone_number", "phone", "number_"} & tops


def test_the_oov_rate_needs_a_lexicon_of_the_dataset_language():
    recordings = [_rec("r1", "/d/a.wav", 5.0)]
    utterances = [("r1", UtteranceRow(0, 0.0, 1.0, "s", "guten tag zentrix", "reference", (), None, "", ""))]
    english = dataset_stats(recordings, utterances, [], files_failed=0)
    assert english["oov_lexicon"] == "cmudict" and english["oov_note"] == "" and english["reference_words"] == 3
    german = dataset_stats(recordings, utterances, [], files_failed=0, language="de")
    assert german["oov_lexicon"] == "" and "no lexicon of language 'de'" in german["oov_note"]
    assert (german["oov_rate"], german["reference_words"], german["oov_words"]) == (0, 0, 0)
    assert german["top_oov_words"] == []
