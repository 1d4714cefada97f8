"""A dataset as text other tools read (pure formatting over stored rows).

RTTM, CTM and the manifest name a recording by its **file id**: the source file's name without extension ("call01"), with
"_ch<N>" for one channel of a split stereo file ("call01_ch0"), so that standard tools (pyannote.metrics,
dscore, sclite) match the exports to references keyed by file name. File ids are unique within the dataset
(see `file_ids`) and the same in every export of it.

- `jsonl`: a NeMo / Lhotse manifest, one utterance per line: {"audio_filepath", "offset", "duration",
  "text", "speaker", "split", "pseudo", "file_id", "recording_id", "utterance_id", "source_uri"};
  audio_filepath is the recording's normalized 16 kHz WAV in the server's blob store (redacted audio when the
  pipeline redacted); recording_id and utterance_id are the server's ids (for its API). Lhotse:
  `lhotse.recipes.nemo`-style loaders / `CutSet.from_manifests` after reading it; NeMo: `manifest_filepath`
  as is. Only utterances fit for training (not flagged) are listed.
- `rttm`: NIST RTTM speaker turns, `SPEAKER <file id> 1 <onset> <duration> <NA> <NA> <speaker> <NA> <NA>`:
  the diarized turns when the pipeline diarized a recording (labels as the diarizer gave them, "spk0", ...:
  an RTTM speaker is scoped by its file), else its reference turns.
- `ctm`: NIST CTM word times (`<file id> 1 <start> <duration> <word> <confidence>`) of aligned utterances.
- `audit`: the redaction audit as JSONL (recording, utterance, entity type, muted span; never the value).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from adapt_server.errors import InvalidArgument, echo
from adapt_server.store.datasets import DatasetRecord, RecordingRow, utterance_id

FORMATS = ("jsonl", "rttm", "ctm", "audit")
SPLITS = ("", "train", "holdout")


def export_dataset(store, dataset: DatasetRecord, export_format: str, split: str = "") -> tuple[str, int]:
    """Returns (text, number of records: lines of the manifest / turns / words / audit rows)."""
    export_format = (export_format or "jsonl").lower()
    if export_format not in FORMATS:
        raise InvalidArgument(f"format {echo(export_format)} is not one of {list(FORMATS)}")
    if split not in SPLITS:
        raise InvalidArgument(f"split {echo(split)} is not one of 'train', 'holdout' or '' (all)")
    every_recording = store.datasets.recordings(dataset.id)
    names = file_ids(every_recording)  # over the whole dataset: a split's export keeps the same ids
    recordings = {r.id: r for r in every_recording if not split or r.split == split}
    lines = {"jsonl": _jsonl, "rttm": _rttm, "ctm": _ctm, "audit": _audit}[export_format](store, dataset.id,
                                                                                         recordings, names)
    return "".join(line + "\n" for line in lines), len(lines)


def source_name(source_uri: str, channel: int) -> str:
    """The file id a recording would like: the source file's stem ("s3://b/calls/call 01.wav" -> "call_01"),
    with "_ch<N>" for one channel of a split stereo file; whitespace becomes "_" (RTTM/CTM fields)."""
    path = unquote(urlsplit(source_uri).path) if "://" in source_uri else source_uri
    stem = _token(PurePosixPath(path).stem or "recording")
    return stem if channel < 0 else f"{stem}_ch{channel}"


def file_ids(recordings: Iterable[RecordingRow]) -> dict[str, str]:
    """recording id -> file id, unique within the dataset and deterministic. Recordings are taken in
    (source URI, channel) order; the first to want a name gets it, later ones with the same name (the same file
    name in two folders) get "<name>-2", "<name>-3", ... (skipping any name another recording has)."""
    ordered = sorted(recordings, key=lambda r: (r.source_uri, r.channel, r.id))
    wanted = {r.id: source_name(r.source_uri, r.channel) for r in ordered}
    wanted_names = set(wanted.values())
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for r in ordered:
        name = wanted[r.id]
        if name in taken:
            n = 2
            while f"{name}-{n}" in taken or f"{name}-{n}" in wanted_names:
                n += 1
            name = f"{name}-{n}"
        taken.add(name)
        ids[r.id] = name
    return ids


def _jsonl(store, dataset_id: str, recordings: dict, names: dict[str, str]) -> list[str]:
    lines = []
    for rid, u in store.datasets.training_utterances(dataset_id):
        recording = recordings.get(rid)
        if recording is None:
            continue
        offset = u.start_s if u.start_s is not None else 0.0
        end = u.end_s if u.end_s is not None else recording.duration_s
        lines.append(json.dumps({
            "audio_filepath": str(store.blobs.path(recording.audio_sha256)),
            "offset": round(offset, 3), "duration": round(max(0.0, end - offset), 3), "text": u.text,
            "speaker": u.speaker or "", "split": u.split, "pseudo": u.origin == "pseudo",
            "file_id": names[rid], "recording_id": rid, "utterance_id": utterance_id(rid, u.idx), "source_uri": recording.source_uri,
        }, ensure_ascii=False))
    return lines


def _rttm(store, dataset_id: str, recordings: dict, names: dict[str, str]) -> list[str]:
    by_recording: dict[str, list] = {}
    for rid, turn in store.datasets.turns(dataset_id):
        if rid in recordings:
            by_recording.setdefault(rid, []).append(turn)
    lines = []
    for rid in sorted(by_recording, key=names.__getitem__):
        turns = by_recording[rid]
        chosen = [t for t in turns if t.origin == "diarize"] or turns
        for t in sorted(chosen, key=lambda t: (t.start_s, t.end_s, t.speaker)):
            lines.append(f"SPEAKER {names[rid]} 1 {t.start_s:.3f} {t.end_s - t.start_s:.3f} <NA> <NA> "
                         f"{_token(t.speaker)} <NA> <NA>")
    return lines


def _ctm(store, dataset_id: str, recordings: dict, names: dict[str, str]) -> list[str]:
    lines = []
    for rid, u in store.datasets.training_utterances(dataset_id):
        if rid not in recordings or not u.words:
            continue
        for start, end, word, confidence in u.words:
            lines.append(f"{names[rid]} 1 {start:.3f} {max(0.0, end - start):.3f} {_token(word)} "
                         f"{1.0 if confidence is None else confidence:.3f}")
    return lines


def _audit(store, dataset_id: str, recordings: dict, names: dict[str, str]) -> list[str]:
    return [json.dumps({"recording_id": rid,
                        "utterance_id": utterance_id(rid, row.utterance_idx) if row.utterance_idx is not None else "",
                        "entity_type": row.entity_type, "start": round(row.start_s, 3), "end": round(row.end_s, 3)})
            for rid, row in store.datasets.redactions(dataset_id) if rid in recordings]


def _token(text: str) -> str:
    """RTTM/CTM fields are whitespace-separated: no spaces inside one."""
    return "_".join(str(text).split()) or "<unk>"
