"""The split step: deterministic, the asked share, nothing leaks across train and holdout."""
from __future__ import annotations

from adapt_server.intake.steps.split import SplitConfig, SplitUnit, assign_splits


def _units(n: int, speakers=lambda i: {f"caller{i}", "agent"}) -> list[SplitUnit]:
    return [SplitUnit(f"rec{i}", f"s3://b/call{i:03d}.wav", 60.0, frozenset(speakers(i))) for i in range(n)]


def test_same_input_same_split_and_the_seed_changes_it():
    units = _units(40, speakers=lambda i: {f"caller{i}"})
    a = assign_splits(units, SplitConfig(holdout=0.25, seed=1))
    assert a == assign_splits(list(reversed(units)), SplitConfig(holdout=0.25, seed=1))
    assert a != assign_splits(units, SplitConfig(holdout=0.25, seed=2))
    assert sum(v == "holdout" for v in a.values()) == 10


def test_channels_of_one_file_stay_together():
    units = [SplitUnit(f"rec{i}{c}", f"/d/call{i}.wav", 30.0, frozenset()) for i in range(10) for c in "ab"]
    splits = assign_splits(units, SplitConfig(holdout=0.3))
    for i in range(10):
        assert splits[f"rec{i}a"] == splits[f"rec{i}b"]
    assert 0 < sum(v == "holdout" for v in splits.values()) < 20


def test_by_speaker_no_speaker_is_on_both_sides():
    # four agents, each on five calls with a different caller
    units = [SplitUnit(f"rec{i}", f"/d/c{i}.wav", 60.0, frozenset({f"agent{i % 4}", f"caller{i}"})) for i in range(20)]
    splits = assign_splits(units, SplitConfig(holdout=0.25, by="speaker", seed=5))
    train = {s for u in units if splits[u.recording_id] == "train" for s in u.speakers}
    holdout = {s for u in units if splits[u.recording_id] == "holdout" for s in u.speakers}
    assert holdout and train and not train & holdout
    # by recording, the shared agents do leak: that is what by="speaker" is for
    by_recording = assign_splits(units, SplitConfig(holdout=0.25, by="recording", seed=5))
    train_r = {s for u in units if by_recording[u.recording_id] == "train" for s in u.speakers}
    hold_r = {s for u in units if by_recording[u.recording_id] == "holdout" for s in u.speakers}
    assert train_r & hold_r


def test_one_speaker_everywhere_keeps_everything_in_train():
    splits = assign_splits(_units(5), SplitConfig(holdout=0.5, by="speaker"))
    assert set(splits.values()) == {"train"}


def test_a_single_recording_stays_in_train_and_two_give_one_holdout():
    assert set(assign_splits(_units(1, lambda i: set()), SplitConfig(holdout=0.9)).values()) == {"train"}
    assert sorted(assign_splits(_units(2, lambda i: set()), SplitConfig(holdout=0.01)).values()) == ["holdout", "train"]


def test_a_glob_chooses_the_holdout_and_keeps_groups_whole():
    units = [SplitUnit(f"rec{i}", f"/d/{'holdout' if i < 2 else 'train'}/c{i}.wav", 60.0,
                       frozenset({f"caller{i}", "agent-x" if i in (1, 5) else f"agent{i}"})) for i in range(8)]
    by_recording = assign_splits(units, SplitConfig(holdout_glob="*/holdout/*"))
    assert [by_recording[f"rec{i}"] for i in range(8)] == ["holdout"] * 2 + ["train"] * 6
    by_speaker = assign_splits(units, SplitConfig(holdout_glob="*/holdout/*", by="speaker"))
    assert {r for r, side in by_speaker.items() if side == "holdout"} == {"rec0", "rec1", "rec5"}  # rec5 shares agent-x
