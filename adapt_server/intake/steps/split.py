"""`split`: a deterministic train/holdout split in which nothing leaks.

The unit that goes to one side is a group of recordings:
- by "recording": the recordings of one source file (the channels of a stereo call stay together);
- by "speaker": recordings connected by a shared speaker label (dataset-wide labels from transcripts or
  RTTM; diarized labels are per recording), so no speaker is heard on both sides.
Groups are ordered by sha256(seed, group key) and moved to holdout in that order until holdout holds
`holdout` of the audio (at least one group when there are two or more; never all). The same recordings
and seed always give the same split; adding recordings moves few.

With `holdout_glob` (e.g. "*/holdout/*"), the groups holding a recording whose source uri matches the
pattern form the holdout instead (a holdout set the team already chose); `holdout` and `seed` are unused.

Runs once over the whole dataset after every recording is stored (it must be the last step).
params: holdout (0.01..0.9, default 0.1), by ("recording" | "speaker", default "recording"), seed (default 0),
holdout_glob (default none).
"""
from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass

from adapt_server.intake.steps.base import ParamReader, Step, ValidationEnv

TRAIN, HOLDOUT = "train", "holdout"


@dataclass(frozen=True)
class SplitConfig:
    holdout: float = 0.1       # share of the audio (seconds) that goes to holdout
    by: str = "recording"      # "recording" | "speaker"
    seed: int = 0
    holdout_glob: str | None = None   # source uris matching it go to holdout (with their group)


@dataclass(frozen=True)
class SplitUnit:
    """What the split needs of a recording."""
    recording_id: str
    source_uri: str
    duration_s: float
    speakers: frozenset[str]   # dataset-wide speaker labels heard in it


class SplitStep(Step):
    name = "split"
    summary = "deterministic train/holdout by recording or speaker"

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv) -> SplitConfig:
        p = ParamReader(where, params)
        config = SplitConfig(holdout=p.number("holdout", 0.1, 0.01, 0.9),
                             by=p.choice("by", ("recording", "speaker"), "recording"),
                             seed=p.integer("seed", 0, 0, 2**31 - 1), holdout_glob=p.string("holdout_glob"))
        p.done()
        return config


def assign_splits(units: list[SplitUnit], config: SplitConfig) -> dict[str, str]:
    """recording_id -> "train" | "holdout" (pure)."""
    groups = _groups(units, config.by)
    if config.holdout_glob:
        chosen = {key for key, members in groups.items()
                  if any(fnmatch.fnmatchcase(u.source_uri, config.holdout_glob) for u in members)}
        return {u.recording_id: HOLDOUT if key in chosen else TRAIN for key, members in groups.items() for u in members}
    total = sum(u.duration_s for u in units)
    order = sorted(groups, key=lambda key: hashlib.sha256(f"{config.seed}\0{key}".encode()).hexdigest())
    holdout_keys: set[str] = set()
    held = 0.0
    for key in order[:-1] if len(order) > 1 else []:   # the last group always stays in train
        if held >= config.holdout * total and holdout_keys:
            break
        holdout_keys.add(key)
        held += sum(u.duration_s for u in groups[key])
    return {u.recording_id: HOLDOUT if key in holdout_keys else TRAIN
            for key, members in groups.items() for u in members}


def _groups(units: list[SplitUnit], by: str) -> dict[str, list[SplitUnit]]:
    """Group key (the smallest source uri of the group) -> its recordings; union-find over shared links."""
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for i, unit in enumerate(units):
        links = {"uri:" + unit.source_uri}
        if by == "speaker":
            links |= {"spk:" + s for s in unit.speakers}
        for link in links:
            j = first_with.setdefault(link, i)
            parent[find(i)] = find(j)
    members: dict[int, list[SplitUnit]] = {}
    for i, unit in enumerate(units):
        members.setdefault(find(i), []).append(unit)
    return {min(u.source_uri for u in group): group for group in members.values()}
