"""Datasets, their recordings, utterances, speaker turns and per-file issues."""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass

import sqlite_utils

from adapt_server.store.blob_protocol import Blobs
from adapt_server.store.consents import DATASET_PROVENANCE, ConsentRepository
from adapt_server.store.db import transaction
from adapt_server.store.jobs import Job
from adapt_server.store.lineage import PROVENANCE, LineageRepository
from adapt_server.store.pages import keyset_page
from adapt_server.store.resources import JobResource, JobResourceTable
from adapt_server.store.scope import ProjectScope

INGEST_JOB = "dataset.ingest"


DEFAULT_DATASET_LANGUAGE = "en"  # a dataset created without a language holds English


def dataset_language(spec: dict) -> str:
    """The language code of a dataset's recordings, from its stored spec ("en" for datasets made before datasets
    had a language)."""
    return str(spec.get("language") or DEFAULT_DATASET_LANGUAGE)


@dataclass(frozen=True)
class DatasetRecord:
    id: str
    name: str
    request_id: str | None
    spec: dict            # {"sources": [...], "pipeline": [...], "labels": {...}}
    stats: dict
    created_at: float
    job: Job


@dataclass(frozen=True)
class RecordingRow:
    id: str
    dataset_id: str
    source_uri: str
    channel: int               # -1 downmix, else the source channel
    audio_sha256: str
    duration_s: float
    source_sample_rate: int
    source_channels: int
    source_codec: str
    transcript_format: str = ""
    utterances: int = 0
    speakers: tuple[str, ...] = ()
    speech_s: float | None = None         # vad: seconds of speech
    alignment_score: float | None = None  # align: 0..1 (low: the transcript does not match the audio)
    redacted: bool = False                # the stored audio has PII/PHI muted (the original is not kept)
    split: str = ""                       # "" | "train" | "holdout"


@dataclass(frozen=True)
class UtteranceRow:
    idx: int
    start_s: float | None
    end_s: float | None
    speaker: str | None
    text: str
    origin: str = "reference"          # "reference" | "pseudo"
    words: tuple[tuple[float, float, str, float | None], ...] | None = None  # (start_s, end_s, word, confidence)
    confidence: float | None = None    # mean word confidence 0..1
    flag: str = ""                     # "" usable; "low_alignment"; "redacted:TYPE" (kept out of training)
    split: str = ""                    # the recording's split


@dataclass(frozen=True)
class RedactionRow:
    """Audit record of one redacted entity: its type and muted span, never its value."""
    utterance_idx: int | None
    entity_type: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class TurnRow:
    start_s: float
    end_s: float
    speaker: str
    origin: str = "reference"


@dataclass(frozen=True)
class UtteranceRef:
    """A usable utterance (text, not flagged) with the address of its recording's audio: what training cuts."""
    recording_id: str
    recording_key: str   # "source_uri#channel": stable across imports of the same files (ids are random)
    audio_sha256: str
    recording_s: float
    start_s: float | None
    end_s: float | None
    text: str
    split: str           # "train", "holdout", ... ("" when the dataset assigns none)
    index: int = -1      # the utterance's position in its recording (consecutive utterances: consecutive indices)


@dataclass(frozen=True)
class FileIssueRow:
    uri: str
    stage: str
    reason: str


def utterance_id(recording_id: str, idx: int) -> str:
    return f"{recording_id}-u{idx:05d}"


def new_dataset_id() -> str:
    return "ds_" + secrets.token_hex(6)


DATASETS = JobResource(table="datasets", noun="dataset", plural="datasets", job_kind=INGEST_JOB,
                       payload_key="dataset_id")


class DatasetRepository:
    """One project's datasets and their content. Reads of recordings, utterances, turns, redactions and file
    issues are confined to the project's datasets too (`_owned`), whoever asks by dataset id."""

    def __init__(self, db: sqlite_utils.Database, blobs: Blobs, scope: ProjectScope, max_active_jobs: int = 0):
        self.db = db
        self.blobs = blobs
        self.table = JobResourceTable(db, DATASETS, scope, max_active_jobs)

    def _owned(self, column: str = "dataset_id") -> tuple[str, list]:
        return self.table.owned(column)

    # --- datasets -----------------------------------------------------------------------------------
    def create(self, name: str, spec: dict, request_id: str | None, request_hash: str,
               max_attempts: int, provenance: tuple[str, bytes] | None = None) -> tuple[DatasetRecord, bool]:
        """Creates the dataset and its PENDING ingest job atomically (idempotent by request_id, see
        store/resources.py), with its provenance record (consent id, canonical JSON) when given. Returns
        (dataset, created)."""
        def with_provenance(new_id: str) -> None:
            consent_id, record = provenance
            ConsentRepository(self.db, self.table.scope).insert(consent_id, DATASET_PROVENANCE, new_id, record)
            LineageRepository(self.db, self.table.scope).add_edge(new_id, "dataset", consent_id, "consent", PROVENANCE)
        dataset_id, created = self.table.create(
            request_id, request_hash, max_attempts,
            lambda: {"id": new_dataset_id(), "name": name, "spec": json.dumps(spec)},
            also=with_provenance if provenance else None)
        return self.get(dataset_id), created

    def get(self, dataset_id: str) -> DatasetRecord | None:
        row = self.table.row(dataset_id)
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[DatasetRecord], str]:
        """Datasets oldest first; returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after)
        return [self._record(r) for r in rows], token

    def content_sha256(self, dataset_id: str) -> str:
        """The dataset's content hash: sha256 of its recordings' normalized-audio hashes, sorted, one per line
        (the same audio gives the same hash whatever the ids or the order of import)."""
        owned, params = self._owned()
        shas = sorted(r[0] for r in self.db.execute(
            f"SELECT audio_sha256 FROM recordings WHERE dataset_id = ? AND {owned}", [dataset_id, *params]).fetchall())
        return hashlib.sha256("\n".join(shas).encode()).hexdigest()

    def set_stats(self, dataset_id: str, stats: dict) -> None:
        visible, params = self.table.scoped.visible(writable=True)
        self.db.execute(f"UPDATE datasets SET stats = ? WHERE id = ? AND {visible}",
                        [json.dumps(stats), dataset_id, *params])

    def delete(self, dataset_id: str) -> int:
        """Deletes the dataset, its rows and job, and the audio blobs no dataset uses any more. Returns how
        many of its blobs no other dataset *of this project* uses: whether another project stored the same
        audio (the blob then stays) never shows (docs/security.md, side doors)."""
        owned, params = self._owned()
        with transaction(self.db):
            shas = [r[0] for r in self.db.execute(
                f"SELECT DISTINCT audio_sha256 FROM recordings WHERE dataset_id = ? AND {owned}",
                [dataset_id, *params]).fetchall()]
            self.table.delete_row(dataset_id)
            released = [s for s in shas if self.db.execute(
                f"SELECT 1 FROM recordings WHERE audio_sha256 = ? AND {owned} LIMIT 1",
                [s, *params]).fetchone() is None]
            orphans = [s for s in released if self.db.execute(
                "SELECT 1 FROM recordings WHERE audio_sha256 = ? LIMIT 1", [s]).fetchone() is None]
        for sha in orphans:
            self.blobs.delete(sha)
        return len(released)

    def _record(self, row) -> DatasetRecord:
        return DatasetRecord(id=row["id"], name=row["name"], request_id=row["request_id"],
                             spec=json.loads(row["spec"]), stats=json.loads(row["stats"]),
                             created_at=row["created_at"], job=self.table.job(row["id"]))

    # --- recordings and their content ---------------------------------------------------------------
    def audio_in_use(self, sha256: str) -> bool:
        """True when a recording of any dataset stores its audio in this blob."""
        return self.db.execute("SELECT 1 FROM recordings WHERE audio_sha256 = ? LIMIT 1", [sha256]).fetchone() \
            is not None

    def has_recording(self, dataset_id: str, source_uri: str) -> bool:
        owned, params = self._owned()
        return self.db.execute(f"SELECT 1 FROM recordings WHERE dataset_id = ? AND source_uri = ? AND {owned} LIMIT 1",
                               [dataset_id, source_uri, *params]).fetchone() is not None

    def add_recording(self, recording: RecordingRow, utterances: list[UtteranceRow],
                      turns: list[TurnRow], redactions: list[RedactionRow] = ()) -> None:
        """Inserts a recording with its utterances, turns and redaction audit in one transaction (all or
        nothing), so a crash never leaves a half-stored recording and a resumed ingest can skip it."""
        self.add_recordings([(recording, utterances, turns, redactions)])

    def add_recordings(self, items: list[tuple[RecordingRow, list[UtteranceRow], list[TurnRow], list[RedactionRow]]]
                       ) -> None:
        """Several recordings (the channels of one file) in one transaction: a file is stored whole or not."""
        with transaction(self.db):
            for recording, utterances, turns, redactions in items:
                self._insert_recording(recording, utterances, turns, redactions)

    def _insert_recording(self, recording: RecordingRow, utterances: list[UtteranceRow], turns: list[TurnRow],
                          redactions: list[RedactionRow]) -> None:
        """Inserts one recording and its rows; runs inside the caller's transaction."""
        self.db.execute(
            "INSERT INTO recordings (id, dataset_id, source_uri, channel, audio_sha256, duration_s, "
            "source_sample_rate, source_channels, source_codec, transcript_format, speech_s, "
            "alignment_score, redacted, split, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [recording.id, recording.dataset_id, recording.source_uri, recording.channel,
             recording.audio_sha256, recording.duration_s, recording.source_sample_rate,
             recording.source_channels, recording.source_codec, recording.transcript_format,
             recording.speech_s, recording.alignment_score, int(recording.redacted), recording.split,
             time.time()])
        for u in utterances:
            self.db.execute(
                "INSERT INTO utterances (id, dataset_id, recording_id, idx, start_s, end_s, speaker, text, "
                "origin, words, confidence, flag, split) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [utterance_id(recording.id, u.idx), recording.dataset_id, recording.id, u.idx, u.start_s,
                 u.end_s, u.speaker, u.text, u.origin,
                 json.dumps([list(w) for w in u.words]) if u.words is not None else None,
                 u.confidence, u.flag, u.split])
        for t in turns:
            self.db.execute(
                "INSERT INTO speaker_turns (dataset_id, recording_id, start_s, end_s, speaker, origin) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [recording.dataset_id, recording.id, t.start_s, t.end_s, t.speaker, t.origin])
        for r in redactions:
            self.db.execute(
                "INSERT INTO redactions (dataset_id, recording_id, utterance_idx, entity_type, start_s, end_s, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [recording.dataset_id, recording.id, r.utterance_idx, r.entity_type, r.start_s, r.end_s,
                 time.time()])

    def set_splits(self, dataset_id: str, splits: dict[str, str]) -> None:
        """recording_id -> "train" | "holdout", written to recordings and their utterances in one transaction."""
        with transaction(self.db):
            for recording_id, split in splits.items():
                self.db.execute("UPDATE recordings SET split = ? WHERE id = ? AND dataset_id = ?",
                                [split, recording_id, dataset_id])
                self.db.execute("UPDATE utterances SET split = ? WHERE recording_id = ? AND dataset_id = ?",
                                [split, recording_id, dataset_id])

    def redactions(self, dataset_id: str) -> list[tuple[str, RedactionRow]]:
        """(recording_id, audit row) pairs, by recording and time."""
        owned, params = self._owned()
        rows = self.db.execute(f"SELECT * FROM redactions WHERE dataset_id = ? AND {owned} ORDER BY recording_id, "
                               "start_s", [dataset_id, *params]).fetchall()
        return [(r["recording_id"], RedactionRow(r["utterance_idx"], r["entity_type"], r["start_s"], r["end_s"]))
                for r in rows]

    def training_utterances(self, dataset_id: str, split: str | None = None) -> list[tuple[str, UtteranceRow]]:
        """Utterances fit for training/evaluation: not flagged (low alignment, dropped by redaction), with
        text; of one split ("train" / "holdout") when given. Same shape as `utterances`."""
        return [(rid, u) for rid, u in self.utterances(dataset_id)
                if not u.flag and u.text.strip() and (split is None or u.split == split)]

    def utterance_refs(self, dataset_id: str) -> list[UtteranceRef]:
        """Every utterance with text not flagged by the pipeline (low alignment score, dropped by redaction), with
        its recording's audio address, in (source URI, channel, index) order; split: the utterance's, else its
        recording's."""
        owned, params = self._owned("u.dataset_id")
        rows = self.db.execute(
            "SELECT u.recording_id, r.source_uri || '#' || r.channel AS recording_key, r.audio_sha256, r.duration_s, "
            "u.start_s, u.end_s, u.text, COALESCE(NULLIF(u.split, ''), NULLIF(r.split, ''), '') AS split, u.idx "
            "FROM utterances u JOIN recordings r ON r.id = u.recording_id "
            f"WHERE u.dataset_id = ? AND {owned} AND TRIM(u.text) != '' AND u.flag = '' "
            "ORDER BY r.source_uri, r.channel, u.recording_id, u.idx", [dataset_id, *params]).fetchall()
        return [UtteranceRef(r["recording_id"], r["recording_key"], r["audio_sha256"], r["duration_s"], r["start_s"],
                             r["end_s"], r["text"], r["split"] or "", r["idx"]) for r in rows]

    def add_file_issue(self, dataset_id: str, issue: FileIssueRow) -> None:
        self.db.execute("INSERT OR REPLACE INTO file_issues (dataset_id, uri, stage, reason, created_at) "
                        "VALUES (?, ?, ?, ?, ?)", [dataset_id, issue.uri, issue.stage, issue.reason, time.time()])

    def file_issues(self, dataset_id: str) -> list[FileIssueRow]:
        owned, params = self._owned()
        rows = self.db.execute(f"SELECT uri, stage, reason FROM file_issues WHERE dataset_id = ? AND {owned} "
                               "ORDER BY uri", [dataset_id, *params]).fetchall()
        return [FileIssueRow(r["uri"], r["stage"], r["reason"]) for r in rows]

    def recordings_page(self, size: int, after: tuple[float, str] | None,
                        dataset_id: str) -> tuple[list[RecordingRow], str]:
        """A dataset's recordings oldest first, with their utterance counts and speakers."""
        rows, token = keyset_page(
            self.db, "SELECT r.*, r.created_at AS _created, "
                     "(SELECT COUNT(*) FROM utterances u WHERE u.recording_id = r.id) AS n_utt, "
                     "(SELECT GROUP_CONCAT(DISTINCT u.speaker) FROM utterances u WHERE u.recording_id = r.id) AS spk "
                     "FROM recordings r", size, after,
            [("r.dataset_id = ?", [dataset_id]), self._owned("r.dataset_id")],
            keys=("r.created_at", "r.id"), row_key=lambda row: (row["_created"], row["id"]))
        return [self._recording(r) for r in rows], token

    def recordings(self, dataset_id: str) -> list[RecordingRow]:
        return self.recordings_page(10**9, None, dataset_id)[0]

    def utterances(self, dataset_id: str) -> list[tuple[str, UtteranceRow]]:
        """(recording_id, utterance) pairs in recording order."""
        owned, params = self._owned()
        rows = self.db.execute(f"SELECT * FROM utterances WHERE dataset_id = ? AND {owned} ORDER BY recording_id, idx",
                               [dataset_id, *params]).fetchall()
        return [(r["recording_id"], UtteranceRow(
            r["idx"], r["start_s"], r["end_s"], r["speaker"], r["text"], r["origin"],
            tuple(tuple(w) for w in json.loads(r["words"])) if r["words"] is not None else None,
            r["confidence"], r["flag"], r["split"])) for r in rows]

    def turns(self, dataset_id: str) -> list[tuple[str, TurnRow]]:
        owned, params = self._owned()
        rows = self.db.execute(f"SELECT * FROM speaker_turns WHERE dataset_id = ? AND {owned} "
                               "ORDER BY recording_id, start_s", [dataset_id, *params]).fetchall()
        return [(r["recording_id"], TurnRow(r["start_s"], r["end_s"], r["speaker"], r["origin"])) for r in rows]

    @staticmethod
    def _recording(r) -> RecordingRow:
        speakers = tuple(sorted(s for s in (r["spk"] or "").split(",") if s))
        return RecordingRow(id=r["id"], dataset_id=r["dataset_id"], source_uri=r["source_uri"], channel=r["channel"],
                            audio_sha256=r["audio_sha256"], duration_s=r["duration_s"],
                            source_sample_rate=r["source_sample_rate"], source_channels=r["source_channels"],
                            source_codec=r["source_codec"], transcript_format=r["transcript_format"],
                            utterances=r["n_utt"], speakers=speakers, speech_s=r["speech_s"],
                            alignment_score=r["alignment_score"], redacted=bool(r["redacted"]), split=r["split"])
