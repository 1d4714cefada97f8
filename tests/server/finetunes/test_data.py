"""Train/holdout items from the dataset store: cuts by utterance times, splits, untimed transcripts."""
from __future__ import annotations

import uuid

import numpy as np
import pytest

from adapt_server.audio.wav import encode_pcm16_wav
from adapt_server.config import ServerConfig
from adapt_server.finetunes.data import assign_splits, gather, utterance_refs
from adapt_server.store.datasets import RecordingRow, UtteranceRow
from adapt_server.store.fine_tunes import ValidationOptions
from adapt_server.store.store import Store

RATE = 16000


@pytest.fixture
def store(tmp_path):
    s = Store.open(ServerConfig(data_dir=tmp_path / "data").resolved(), run_migrations=True)
    yield s
    s.close()


def _dataset(store, recordings: dict[str, tuple[float, list[UtteranceRow]]], random_ids: bool = False) -> str:
    """A dataset of ramp recordings /x/NAME.wav; their ids are DATASET-NAME, or random as the service makes them."""
    record, _ = store.datasets.create("d", {"sources": [], "pipeline": [], "labels": {}}, None, "h", 3)
    for name, (seconds, utterances) in recordings.items():
        recording_id = f"{record.id}-{uuid.uuid4().hex[:8] if random_ids else name}"
        ramp = (np.arange(int(seconds * RATE)) % 1000 / 1000.0 - 0.5).astype(np.float32)
        sha = store.blobs.put_bytes(encode_pcm16_wav(ramp, RATE))
        store.datasets.add_recording(RecordingRow(recording_id, record.id, f"/x/{name}.wav", -1, sha,
                                                  seconds, 8000, 1, "pcm_mulaw"), utterances, [])
    return record.id


def test_utterances_are_cut_by_their_times(store):
    dataset_id = _dataset(store, {"a": (10.0, [UtteranceRow(0, 1.0, 2.5, "agent", "hello there"),
                                                UtteranceRow(1, 3.0, 4.0, "customer", "hi"),
                                                UtteranceRow(2, 5.0, 5.1, "agent", "too short"),
                                                UtteranceRow(3, 6.0, 7.0, "agent", "   ")])})
    data = gather(store, dataset_id, ValidationOptions(split="none"))
    assert [(round(a.size / RATE, 2), t) for a, t in data.train] == [(1.5, "hello there"), (1.0, "hi")]
    assert data.train[0][0].dtype == np.float32 and data.skipped == 1 and data.holdout == []


def test_an_untimed_transcript_is_used_only_as_a_whole_short_recording(store):
    dataset_id = _dataset(store, {"short": (4.0, [UtteranceRow(0, None, None, None, "whole file")]),
                                  "long": (40.0, [UtteranceRow(0, None, None, None, "too long to be one item")])})
    data = gather(store, dataset_id, ValidationOptions())
    assert [(a.size / RATE, t) for a, t in data.train] == [(4.0, "whole file")] and data.skipped == 1


def test_without_a_split_column_or_fraction_everything_trains(store):
    dataset_id = _dataset(store, {f"r{i}": (3.0, [UtteranceRow(0, 0.0, 2.0, None, f"utt {i}")]) for i in range(4)})
    train, holdout, source = assign_splits(utterance_refs(store, dataset_id), ValidationOptions())
    assert len(train) == 4 and holdout == [] and source == "none"


def test_a_holdout_fraction_holds_out_whole_recordings_deterministically(store):
    dataset_id = _dataset(store, {f"r{i}": (3.0, [UtteranceRow(0, 0.0, 1.0, None, f"a {i}"),
                                                   UtteranceRow(1, 1.0, 2.0, None, f"b {i}")]) for i in range(10)})
    refs = utterance_refs(store, dataset_id)
    train, holdout, source = assign_splits(refs, ValidationOptions(holdout_fraction=0.3))
    assert source == "fraction:0.3" and holdout and train
    assert not {r.recording_id for r in train} & {r.recording_id for r in holdout}
    assert assign_splits(refs, ValidationOptions(holdout_fraction=0.3))[1] == holdout


def test_the_dataset_split_column_decides_when_present(store):
    dataset_id = _dataset(store, {"r0": (3.0, [UtteranceRow(0, 0.0, 1.0, None, "train me")]),
                                  "r1": (3.0, [UtteranceRow(0, 0.0, 1.0, None, "hold me out")])})
    holdout_recording = store.db.execute("SELECT recording_id FROM utterances WHERE text = 'hold me out'").fetchone()[0]
    store.datasets.set_splits(dataset_id, {holdout_recording: "holdout", f"{dataset_id}-r0": "train"})
    train, holdout, source = assign_splits(utterance_refs(store, dataset_id), ValidationOptions())
    assert [r.text for r in train] == ["train me"] and [r.text for r in holdout] == ["hold me out"]
    assert source == "split:holdout"


def test_utterances_the_pipeline_flagged_are_kept_out_of_training(store):
    dataset_id = _dataset(store, {"a": (6.0, [UtteranceRow(0, 0.0, 1.0, None, "keep me"),
                                               UtteranceRow(1, 1.0, 2.0, None, "bad match", flag="low_alignment"),
                                               UtteranceRow(2, 2.0, 3.0, None, "[PERSON] said", flag="redacted:PERSON")])})
    assert [r.text for r in utterance_refs(store, dataset_id)] == ["keep me"]


def test_redaction_placeholders_are_not_training_targets(store):
    from adapt_server.finetunes.data import training_text
    assert training_text("I'm [PERSON] with [ORG_NAME], number [ACCOUNT_NUMBER].") == "I'm with, number."
    dataset_id = _dataset(store, {"a": (6.0, [UtteranceRow(0, 0.0, 1.0, None, "It's under [PERSON]."),
                                               UtteranceRow(1, 1.0, 2.0, None, "[DATE_OF_BIRTH]")])})
    assert [r.text for r in utterance_refs(store, dataset_id)] == ["It's under."]


def test_two_datasets_of_the_same_files_give_the_same_items_in_the_same_order(store):
    """Recording ids are random: neither the item order (a fine-tune's batches) nor a fraction holdout may
    follow them, or two runs of the same fine-tune on two imports of the same files train differently."""
    def recordings():
        return {f"r{i}": (3.0 + i / 10, [UtteranceRow(0, 0.0, 1.0, None, f"a {i}"),
                                         UtteranceRow(1, 1.0, 2.0, None, f"b {i}")]) for i in range(12)}
    first, second = _dataset(store, recordings(), random_ids=True), _dataset(store, recordings(), random_ids=True)
    refs = [utterance_refs(store, dataset_id) for dataset_id in (first, second)]
    assert [r.text for r in refs[0]] == [r.text for r in refs[1]] == [f"{x} {i}" for i in sorted(range(12), key=str)
                                                                      for x in "ab"]
    splits = [assign_splits(r, ValidationOptions(holdout_fraction=0.3)) for r in refs]
    assert [r.text for r in splits[0][1]] == [r.text for r in splits[1][1]] and splits[0][1]
    data = [gather(store, dataset_id, ValidationOptions(split="none")) for dataset_id in (first, second)]
    assert [t for _, t in data[0].train] == [t for _, t in data[1].train]


def test_long_form_items_join_consecutive_utterances_and_never_span_a_dropped_one(store):
    dataset_id = _dataset(store, {"a": (40.0, [UtteranceRow(0, 0.0, 5.0, None, "one"),
                                                UtteranceRow(1, 5.5, 9.0, None, "two"),
                                                UtteranceRow(2, 10.0, 12.0, None, "three", flag="low_alignment"),
                                                UtteranceRow(3, 13.0, 20.0, None, "four"),
                                                UtteranceRow(4, 21.0, 30.0, None, "five"),
                                                UtteranceRow(5, 31.0, 39.0, None, "six")])})
    single = gather(store, dataset_id, ValidationOptions(split="none"))
    data = gather(store, dataset_id, ValidationOptions(split="none"), long_form_seconds=28.0)
    assert all(np.array_equal(a, b) and s == t for (a, s), (b, t) in zip(data.train, single.train)), \
        "the single utterances come first, unchanged"
    long_form = [(a.size / RATE, t) for a, t in data.train[len(single.train):]]
    assert long_form == [(9.0, "one two"), (26.0, "four five six")], "the flagged 'three' splits the stretches"
    audio = data.train[len(single.train)][0]
    assert np.array_equal(audio[:single.train[0][0].size], single.train[0][0]), "cut from the recording itself"
