"""A dataset as text other tools read (pure formatting over stored rows).

- `jsonl`: a NeMo / Lhotse manifest, one utterance per line: {"audio_filepath", "offset", "duration",
  "text", "speaker", "split", "pseudo", "recording_id", "utterance_id", "source_uri"}; audio_filepath is
  the recording's normalized 16 kHz WAV in the server's blob store (redacted audio when the pipeline
  redacted). Lhotse: `lhotse.recipes.nemo`-style loaders / `CutSet.from_manifests` after reading it;
  NeMo: `manifest_filepath` as is. Only utterances fit for training (not flagged) are listed.
- `rttm`: NIST RTTM speaker turns per recording (file id = recording id): the diarized turns when the
  pipeline diarized a recording, else its reference turns.
- `ctm`: NIST CTM word times (`<recording> 1 <start> <duration> <word> <confidence>`) of aligned utterances.
- `audit`: the redaction audit as JSONL (recording, utterance, entity type, muted span; never the value).
"""
from __future__ import annotations

import json

from adapt_server.errors import InvalidArgument
from adapt_server.intake.steps.speakers import qualified, recording_name
from adapt_server.store.datasets import DatasetRecord, utterance_id

FORMATS = ("jsonl", "rttm", "ctm", "audit")
SPLITS = ("", "train", "holdout")


def export_dataset(store, dataset: DatasetRecord, export_format: str, split: str = "") -> tuple[str, int]:
    """Returns (text, number of records: lines of the manifest / turns / words / audit rows)."""
    export_format = (export_format or "jsonl").lower()
    if export_format not in FORMATS:
        raise InvalidArgument(f"format {export_format!r} is not one of {list(FORMATS)}")
    if split not in SPLITS:
        raise InvalidArgument(f"split {split!r} is not one of 'train', 'holdout' or '' (all)")
    recordings = {r.id: r for r in store.datasets.recordings(dataset.id) if not split or r.split == split}
    lines = {"jsonl": _jsonl, "rttm": _rttm, "ctm": _ctm, "audit": _audit}[export_format](store, dataset.id,
                                                                                         recordings)
    return "".join(line + "\n" for line in lines), len(lines)


def _jsonl(store, dataset_id: str, recordings: dict) -> list[str]:
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
            "recording_id": rid, "utterance_id": utterance_id(rid, u.idx), "source_uri": recording.source_uri,
        }, ensure_ascii=False))
    return lines


def _rttm(store, dataset_id: str, recordings: dict) -> list[str]:
    by_recording: dict[str, list] = {}
    for rid, turn in store.datasets.turns(dataset_id):
        if rid in recordings:
            by_recording.setdefault(rid, []).append(turn)
    lines = []
    for rid, turns in by_recording.items():
        recording = recordings[rid]
        diarized = [t for t in turns if t.origin == "diarize"]
        chosen = diarized or turns
        for t in sorted(chosen, key=lambda t: (t.start_s, t.end_s)):
            label = qualified(recording_name(recording.source_uri, recording.channel), t.speaker) \
                if t.origin == "diarize" else t.speaker
            lines.append(f"SPEAKER {rid} 1 {t.start_s:.3f} {t.end_s - t.start_s:.3f} <NA> <NA> "
                         f"{_token(label)} <NA> <NA>")
    return lines


def _ctm(store, dataset_id: str, recordings: dict) -> list[str]:
    lines = []
    for rid, u in store.datasets.training_utterances(dataset_id):
        if rid not in recordings or not u.words:
            continue
        for start, end, word, confidence in u.words:
            lines.append(f"{rid} 1 {start:.3f} {max(0.0, end - start):.3f} {_token(word)} "
                         f"{1.0 if confidence is None else confidence:.3f}")
    return lines


def _audit(store, dataset_id: str, recordings: dict) -> list[str]:
    return [json.dumps({"recording_id": rid,
                        "utterance_id": utterance_id(rid, row.utterance_idx) if row.utterance_idx is not None else "",
                        "entity_type": row.entity_type, "start": round(row.start_s, 3), "end": round(row.end_s, 3)})
            for rid, row in store.datasets.redactions(dataset_id) if rid in recordings]


def _token(text: str) -> str:
    """RTTM/CTM fields are whitespace-separated: no spaces inside one."""
    return "_".join(str(text).split()) or "<unk>"
