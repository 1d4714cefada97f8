"""Export formats over a real store: JSONL manifest (NeMo/Lhotse fields), RTTM, CTM, audit; splits."""
from __future__ import annotations

import json

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import InvalidArgument
from adapt_server.intake.export import export_dataset
from adapt_server.store.datasets import RecordingRow, RedactionRow, TurnRow, UtteranceRow
from adapt_server.store.store import Store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    config = ServerConfig(data_dir=tmp_path_factory.mktemp("data")).resolved()
    store = Store.open(config, run_migrations=True)
    dataset, _ = store.datasets.create("d", {"sources": [], "pipeline": [], "labels": {}}, None, "h", 3)
    sha = store.blobs.put_bytes(b"RIFF....WAVE")
    words = ((0.1, 0.4, "hello", 0.9), (0.5, 0.9, "[PERSON]", None))
    store.datasets.add_recording(
        RecordingRow("r1", dataset.id, "s3://b/call one.wav", -1, sha, 10.0, 8000, 1, "pcm_mulaw", redacted=True),
        [UtteranceRow(0, 0.1, 0.9, "voice-1", "hello [PERSON]", words=words, confidence=0.9),
         UtteranceRow(1, 2.0, 3.0, "voice-2", "dropped", flag="low_alignment")],
        [TurnRow(0.1, 0.9, "voice-1"), TurnRow(0.0, 1.0, "spk0", "diarize")],
        [RedactionRow(0, "PERSON", 0.45, 0.95)])
    store.datasets.add_recording(RecordingRow("r2", dataset.id, "/d/b.wav", -1, sha, 5.0, 16000, 1, "pcm_s16le"),
                                 [UtteranceRow(0, None, None, None, "untimed text")], [])
    store.datasets.set_splits(dataset.id, {"r1": "train", "r2": "holdout"})
    yield store, store.datasets.get(dataset.id)
    store.close()


def test_jsonl_is_a_nemo_manifest_of_usable_utterances(stored):
    store, dataset = stored
    text, count = export_dataset(store, dataset, "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    assert count == len(rows) == 2
    first, untimed = rows
    assert first["audio_filepath"] == str(store.blobs.path(store.datasets.recordings(dataset.id)[0].audio_sha256))
    assert (first["offset"], first["duration"], first["text"], first["speaker"]) == (0.1, 0.8, "hello [PERSON]", "voice-1")
    assert first["split"] == "train" and first["pseudo"] is False and first["utterance_id"] == "r1-u00000"
    assert (untimed["offset"], untimed["duration"], untimed["split"]) == (0.0, 5.0, "holdout")
    holdout, n = export_dataset(store, dataset, "jsonl", split="holdout")
    assert n == 1 and "untimed text" in holdout


def test_rttm_prefers_diarized_turns_and_ctm_lists_words(stored):
    store, dataset = stored
    rttm, _ = export_dataset(store, dataset, "rttm")
    assert rttm == "SPEAKER r1 1 0.000 1.000 <NA> <NA> call_one:spk0 <NA> <NA>\n"
    ctm, n = export_dataset(store, dataset, "ctm")
    assert n == 2 and ctm.splitlines() == ["r1 1 0.100 0.300 hello 0.900", "r1 1 0.500 0.400 [PERSON] 1.000"]


def test_audit_names_type_and_span_only(stored):
    store, dataset = stored
    text, n = export_dataset(store, dataset, "audit")
    assert n == 1 and json.loads(text) == {"recording_id": "r1", "utterance_id": "r1-u00000",
                                           "entity_type": "PERSON", "start": 0.45, "end": 0.95}


def test_unknown_format_or_split(stored):
    store, dataset = stored
    with pytest.raises(InvalidArgument, match="format 'csv' is not one of"):
        export_dataset(store, dataset, "csv")
    with pytest.raises(InvalidArgument, match="split 'dev'"):
        export_dataset(store, dataset, "jsonl", split="dev")
