"""Custom voices (schema migration 9): each created with its `voice.build` job, its signed consent and its
lineage in one transaction (store/resources.py), built into a style-pack blob."""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.blob_protocol import Blobs
from adapt_server.store.consents import VOICE_CONSENT, ConsentRepository
from adapt_server.store.db import transaction
from adapt_server.store.jobs import Job
from adapt_server.store.lineage import BUILT_FROM, CONSENT, LineageRepository, Revocation
from adapt_server.store.resources import JobResource, JobResourceTable
from adapt_server.store.scope import ProjectScope

VOICE_BUILD_JOB = "voice.build"
VOICES = JobResource(table="voices", noun="voice", plural="voices", job_kind=VOICE_BUILD_JOB, payload_key="voice_id")
VOICE_ID_PREFIX = "voice_"


def new_voice_id() -> str:
    return VOICE_ID_PREFIX + secrets.token_hex(6)


@dataclass(frozen=True)
class VoiceRecord:
    id: str                      # "voice_<hex>"
    name: str
    dataset_id: str
    speaker: str                 # the talent's label in the dataset ("" : the dataset's only speaker)
    consent_id: str
    options: dict                # the build options as validated (voice_build.BuildOptions fields)
    consent_check: dict          # scores, thresholds, transcript and reason of the consent checks
    quality: dict                # once built: similarity, start voice, WER, generations, build seconds
    pack_sha256: str             # the style pack's blob ("" until built)
    labels: dict
    request_id: str | None
    created_at: float
    job: Job
    revocation: Revocation | None = field(default=None)

    @property
    def built(self) -> bool:
        return bool(self.pack_sha256) and self.job.state == "SUCCEEDED"


class VoiceRepository:
    def __init__(self, db: sqlite_utils.Database, blobs: Blobs, scope: ProjectScope, max_active_jobs: int = 0):
        self.db = db
        self.blobs = blobs
        self.table = JobResourceTable(db, VOICES, scope, max_active_jobs)
        self.consents = ConsentRepository(db, scope)
        self.lineage = LineageRepository(db, scope)

    def create(self, voice_id: str, name: str, dataset_id: str, speaker: str, options: dict, consent_check: dict,
               labels: dict, consent_id: str, consent_record: bytes, request_id: str | None, request_hash: str,
               max_attempts: int) -> tuple[VoiceRecord, bool]:
        """Stores the voice, its PENDING build job, its signed consent and its lineage atomically (idempotent by
        request_id, see store/resources.py); returns (record, created)."""
        def new_row() -> dict:
            return {"id": voice_id, "name": name, "dataset_id": dataset_id, "speaker": speaker,
                    "consent_id": consent_id, "options": json.dumps(options, sort_keys=True),
                    "consent_check": json.dumps(consent_check, sort_keys=True), "labels": json.dumps(labels)}

        def with_consent_and_lineage(new_id: str) -> None:
            self.consents.insert(consent_id, VOICE_CONSENT, new_id, consent_record)
            self.lineage.add_edge(new_id, "voice", consent_id, "consent", CONSENT)
            self.lineage.add_edge(new_id, "voice", dataset_id, "dataset", BUILT_FROM)
        created_id, created = self.table.create(request_id, request_hash, max_attempts, new_row,
                                                also=with_consent_and_lineage)
        return self.get(created_id), created

    def for_request(self, request_id: str) -> tuple[str, str] | None:
        """(voice id, request hash) of the voice created with `request_id`, or None."""
        if not request_id:
            return None
        row = self.table.scoped.row(request_id, column="request_id")
        return (row["id"], row["request_hash"]) if row else None

    def get(self, voice_id: str) -> VoiceRecord | None:
        row = self.table.row(voice_id)
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None) -> tuple[list[VoiceRecord], str]:
        """Custom voices oldest first; returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after)
        return [self._record(r) for r in rows], token

    def set_built(self, voice_id: str, pack_sha256: str, quality: dict) -> None:
        visible, params = self.table.scoped.visible(writable=True)
        self.db.execute(f"UPDATE voices SET pack_sha256 = ?, quality = ? WHERE id = ? AND {visible}",
                        [pack_sha256, json.dumps(quality, sort_keys=True), voice_id, *params])

    def using_dataset(self, dataset_id: str) -> list[str]:
        visible, params = self.table.scoped.visible()
        return [r[0] for r in self.db.execute(f"SELECT id FROM voices WHERE dataset_id = ? AND {visible} ORDER BY "
                                              "created_at", [dataset_id, *params]).fetchall()]

    def delete(self, voice_id: str) -> bool:
        """Deletes the voice and its job, and its style pack's blob when no other voice uses it. The consent
        record and the lineage stay. The blob is shared by content across projects: it goes when no voice of
        any project uses it."""
        with transaction(self.db):
            row = self.table.row(voice_id)
            if row is None:
                return False
            self.table.delete_row(voice_id)
            sha = row["pack_sha256"]
            orphan = bool(sha) and self.db.execute("SELECT 1 FROM voices WHERE pack_sha256 = ? LIMIT 1",
                                                   [sha]).fetchone() is None
        if orphan:
            self.blobs.delete(sha)
        return True

    def _record(self, row) -> VoiceRecord:
        return VoiceRecord(id=row["id"], name=row["name"], dataset_id=row["dataset_id"], speaker=row["speaker"],
                           consent_id=row["consent_id"], options=json.loads(row["options"]),
                           consent_check=json.loads(row["consent_check"]), quality=json.loads(row["quality"]),
                           pack_sha256=row["pack_sha256"], labels=json.loads(row["labels"]),
                           request_id=row["request_id"], created_at=row["created_at"],
                           job=self.table.job(row["id"]), revocation=self.lineage.revocation(row["id"]))
