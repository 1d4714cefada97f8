"""Which audio an evaluation transcribes: units per timed utterance or per recording, split selection, known
non-speech from reference turns, and the source of each recording."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from adapt_server.errors import FailedPrecondition
from adapt_server.evaluation.units import select_split
from adapt_server.store.datasets import TurnRow, UtteranceRow


@dataclass(frozen=True)
class Dataset:
    id: str = "ds_1"
    spec: dict = None


@dataclass(frozen=True)
class Recording:
    id: str
    source_uri: str
    channel: int = -1
    duration_s: float = 10.0
    audio_sha256: str = "ab"
    split: str | None = None


@dataclass(frozen=True)
class SplitUtterance(UtteranceRow):
    split: str | None = None


DATASET = Dataset(spec={"sources": [{"uri": "/data/calls", "path": "/data/calls"},
                                    {"uri": "file:///data/other", "path": "/data/other"}]})


def test_timed_utterances_are_units_with_the_gaps_between_turns_as_non_speech():
    recordings = [Recording("r1", "/data/calls/a.wav")]
    utterances = [("r1", UtteranceRow(0, 1.0, 3.0, "agent", "hello there")),
                  ("r1", UtteranceRow(1, 4.0, 6.0, "caller", "hi")),
                  ("r1", UtteranceRow(2, 7.0, 7.0, "caller", "zero length is skipped"))]
    turns = [("r1", TurnRow(1.0, 2.5, "agent")), ("r1", TurnRow(4.0, 6.0, "caller"))]
    selection = select_split(DATASET, recordings, utterances, turns, "all")
    first, second = selection.units
    assert (first.utterance_id, first.start_s, first.end_s, first.speaker) == ("r1-u00000", 1.0, 3.0, "agent")
    assert first.non_speech == ((1.5, 2.0),)  # 2.5..3.0 in the recording, relative to the unit's start
    assert second.non_speech == () and first.source == "/data/calls"
    assert first.sample_range(160_000, 16000) == (16000, 48000)
    assert selection.reference_turns == {"r1": [(1.0, 2.5, "agent"), (4.0, 6.0, "caller")]}


def test_an_untimed_transcript_makes_one_unit_of_the_whole_recording():
    recordings = [Recording("r1", "/data/other/b.wav")]
    utterances = [("r1", UtteranceRow(0, None, None, None, "first part")),
                  ("r1", UtteranceRow(1, None, None, None, "second part"))]
    [unit] = select_split(DATASET, recordings, utterances, [], "all").units
    assert (unit.reference, unit.start_s, unit.source) == ("first part second part", None, "file:///data/other")
    assert unit.sample_range(1000, 16000) == (0, 1000) and unit.non_speech == ()


def test_split_filtering_by_utterance_or_recording_assignment():
    recordings = [Recording("r1", "/x/a.wav", split="train"), Recording("r2", "/x/b.wav", split="holdout")]
    utterances = [("r1", SplitUtterance(0, 0.0, 1.0, "s", "one")), ("r2", SplitUtterance(0, 0.0, 1.0, "s", "two")),
                  ("r2", SplitUtterance(1, 1.0, 2.0, "s", "three", split="train"))]
    holdout = select_split(DATASET, recordings, utterances, [], "holdout")
    assert [u.reference for u in holdout.units] == ["two"] and not holdout.notes
    assert [u.reference for u in select_split(DATASET, recordings, utterances, [], "train").units] == ["one", "three"]
    assert len(select_split(DATASET, recordings, utterances, [], "all").units) == 3


def test_without_any_assignment_every_split_is_everything_with_a_note():
    recordings = [Recording("r1", "/x/a.wav")]
    selection = select_split(DATASET, recordings, [("r1", UtteranceRow(0, None, None, None, "x"))], [], "holdout")
    assert len(selection.units) == 1 and "no train/holdout assignment" in selection.notes[0]


def test_an_empty_split_says_so():
    recordings = [Recording("r1", "/x/a.wav", split="train")]
    with pytest.raises(FailedPrecondition, match="no recordings in split 'holdout'"):
        select_split(DATASET, recordings, [("r1", SplitUtterance(0, None, None, None, "x", split="train"))], [],
                     "holdout")


def test_reference_turns_win_over_diarize_step_turns():
    recordings = [Recording("r1", "/x/a.wav"), Recording("r2", "/x/b.wav")]
    turns = [("r1", TurnRow(0.0, 1.0, "A", "reference")), ("r1", TurnRow(0.0, 2.0, "spk0", "diarize")),
             ("r2", TurnRow(0.0, 3.0, "spk1", "diarize"))]
    selection = select_split(DATASET, recordings, [], turns, "all")
    assert selection.reference_turns == {"r1": [(0.0, 1.0, "A")], "r2": [(0.0, 3.0, "spk1")]}
    assert selection.units == ()


def test_pseudo_labels_and_flagged_utterances_are_not_references():
    recordings = [Recording("r1", "/x/a.wav")]
    utterances = [("r1", UtteranceRow(0, 0.0, 1.0, "s", "kept")),
                  ("r1", UtteranceRow(1, 1.0, 2.0, "s", "a model's guess", origin="pseudo")),
                  ("r1", UtteranceRow(2, 2.0, 3.0, "s", "does not match", flag="low_alignment")),
                  ("r1", UtteranceRow(3, 3.0, 4.0, "s", "call [PERSON]", flag="redacted:PERSON"))]
    selection = select_split(DATASET, recordings, utterances, [], "all")
    assert [u.reference for u in selection.units] == ["kept"]
    assert selection.notes == ("1 utterances with pseudo-labels (a model's own transcripts) are not references "
                               "and were left out",
                               "2 flagged utterances (low alignment score, or redacted text) were left out")


def test_units_come_in_source_order_whatever_the_order_of_the_recordings():
    """Recording ids are random and the temperature fallback's draws follow the unit order: two imports of
    the same files must give the same order."""
    names = ["c.wav", "a.wav", "b.wav"]
    for ids in (["x9", "x1", "x5"], ["y1", "y9", "y5"]):
        recordings = [Recording(rid, f"/data/calls/{name}") for rid, name in zip(ids, names)]
        utterances = [(rid, UtteranceRow(0, 0.0, 1.0, None, name)) for rid, name in zip(ids, names)]
        units = select_split(DATASET, recordings, utterances, [], "all").units
        assert [unit.reference for unit in units] == ["a.wav", "b.wav", "c.wav"]
