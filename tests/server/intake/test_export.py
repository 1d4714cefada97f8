"""Export formats over a real store: JSONL manifest (NeMo/Lhotse fields), RTTM, CTM, audit; splits; file ids
(source names, unique within the dataset). Scoring an export with pyannote.metrics: test_export_scoring.py."""
from __future__ import annotations

import json

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import InvalidArgument
from adapt_server.intake.export import export_dataset, file_ids, source_name
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
    assert (first["file_id"], first["recording_id"], untimed["file_id"]) == ("call_one", "r1", "b")
    assert (untimed["offset"], untimed["duration"], untimed["split"]) == (0.0, 5.0, "holdout")
    holdout, n = export_dataset(store, dataset, "jsonl", split="holdout")
    assert n == 1 and "untimed text" in holdout


def test_rttm_prefers_diarized_turns_and_ctm_lists_words(stored):
    store, dataset = stored
    rttm, _ = export_dataset(store, dataset, "rttm")
    assert rttm == "SPEAKER call_one 1 0.000 1.000 <NA> <NA> spk0 <NA> <NA>\n"  # file id: the source name
    ctm, n = export_dataset(store, dataset, "ctm")
    assert n == 2 and ctm.splitlines() == ["call_one 1 0.100 0.300 hello 0.900",
                                           "call_one 1 0.500 0.400 [PERSON] 1.000"]


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


def _row(rid: str, uri: str, channel: int = -1) -> RecordingRow:
    return RecordingRow(rid, "ds", uri, channel, "sha", 1.0, 16000, 1 if channel < 0 else 2, "pcm_s16le")


def test_source_name_is_the_stem_with_the_channel_of_a_split_file():
    assert source_name("/data/calls/call01.wav", -1) == "call01"
    assert source_name("/data/calls/call01.wav", 0) == "call01_ch0"
    assert source_name("s3://bucket/q1/call%2001.mp3", 1) == "call_01_ch1"   # URL-decoded, no whitespace
    assert source_name("file:///data/calls/agent.b.flac", -1) == "agent.b"


def test_file_ids_are_unique_and_deterministic():
    rows = [_row("r9", "/d/b/call.wav"), _row("r1", "/d/a/call.wav"), _row("r5", "/d/c/call.wav"),
            _row("r3", "/d/call-2.wav"), _row("r4", "/d/stereo.wav", 0), _row("r2", "/d/stereo.wav", 1)]
    ids = file_ids(rows)
    # source-URI order decides who keeps the bare name; "call-2" is a real file's name, so numbering skips it
    assert ids == {"r1": "call", "r9": "call-3", "r5": "call-4", "r3": "call-2",
                   "r4": "stereo_ch0", "r2": "stereo_ch1"}
    assert file_ids(reversed(rows)) == ids
    assert len(set(ids.values())) == len(rows)


def test_exports_of_one_split_keep_the_dataset_wide_file_ids(tmp_path):
    config = ServerConfig(data_dir=tmp_path / "data").resolved()
    store = Store.open(config, run_migrations=True)
    try:
        dataset, _ = store.datasets.create("d", {"sources": [], "pipeline": [], "labels": {}}, None, "h2", 2)
        sha = store.blobs.put_bytes(b"RIFF....WAVE")
        for rid, uri in (("r1", "/a/call.wav"), ("r2", "/b/call.wav")):
            store.datasets.add_recording(RecordingRow(rid, dataset.id, uri, -1, sha, 4.0, 16000, 1, "pcm_s16le"),
                                         [UtteranceRow(0, 0.0, 1.0, "agent", "hi")], [TurnRow(0.0, 1.0, "agent")])
        store.datasets.set_splits(dataset.id, {"r1": "train", "r2": "holdout"})
        record = store.datasets.get(dataset.id)
        holdout, _ = export_dataset(store, record, "rttm", split="holdout")
        assert holdout == "SPEAKER call-2 1 0.000 1.000 <NA> <NA> agent <NA> <NA>\n"
        full, _ = export_dataset(store, record, "rttm")
        assert [line.split()[1] for line in full.splitlines()] == ["call", "call-2"]
    finally:
        store.close()
