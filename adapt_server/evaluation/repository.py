"""The evaluation tables (migration 2): evaluations, their per-utterance hypotheses and diarization turns.

An evaluation row and its PENDING `evaluation.run` job are created in one transaction. The job writes the
hypotheses of one candidate on one dataset (scope) in one transaction, so an interrupted run resumes with the
candidates not yet committed; the scores and the result are written once at the end.
"""
from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.errors import AlreadyExists
from adapt_server.store.jobs import Job, JobQueue
from adapt_server.store.db import transaction
from adapt_server.store.pages import encode_token

EVALUATION_JOB = "evaluation.run"
PRIMARY, REFERENCE = "primary", "reference"  # scopes: the evaluated split, the gates' reference dataset


@dataclass(frozen=True)
class EvaluationRecord:
    id: str
    name: str
    dataset_id: str
    request_id: str | None
    spec: dict  # EvaluationSpec.to_dict()
    result: dict  # {} until the job succeeds; see evaluation/results.py
    labels: dict
    created_at: float  # unix seconds
    job: Job


@dataclass(frozen=True)
class HypothesisRow:
    """One candidate's transcript of one utterance, as the job stored it."""

    model_id: str
    utterance_id: str
    recording_id: str
    speaker: str
    source: str
    start_s: float | None  # seconds in the recording (None: the whole recording)
    end_s: float | None
    reference: str
    hypothesis: str
    audio_s: float  # seconds transcribed
    processing_s: float  # seconds spent on the Transcribe code path
    nonspeech_s: float = 0.0  # seconds of the audio known (from reference turns) not to hold speech
    nonspeech_words: int = 0  # hypothesis words whose midpoint lies there
    score: dict = field(default_factory=dict)  # written when scored (see results.utterance_score_dict)
    row_id: int = 0


@dataclass(frozen=True)
class DiarizationRow:
    """One diarizer's speaker turns of one recording."""

    model_id: str
    recording_id: str
    turns: tuple[tuple[float, float, str], ...]  # (start s, end s, speaker)
    audio_s: float
    processing_s: float


def new_evaluation_id() -> str:
    return "eval_" + secrets.token_hex(6)


class EvaluationRepository:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.jobs = JobQueue(db)

    # --- evaluations --------------------------------------------------------------------------------
    def create(self, name: str, dataset_id: str, spec: dict, labels: dict, request_id: str | None,
               request_hash: str, max_attempts: int) -> tuple[EvaluationRecord, bool]:
        """Stores the evaluation and its PENDING job atomically. Returns (evaluation, created).

        A request_id seen before returns the evaluation it created, or raises AlreadyExists when the request
        differs (a reused request_id is a client bug, not a retry).
        """
        with transaction(self.db):
            row = self.db.execute("SELECT id, request_hash FROM evaluations WHERE request_id = ?",
                                  [request_id]).fetchone() if request_id else None
            if row is not None:
                if row["request_hash"] != request_hash:
                    raise AlreadyExists(
                        f"request_id {request_id!r} was already used to create evaluation {row['id']} with "
                        "different parameters; send a new request_id for a new evaluation")
                evaluation_id, created = row["id"], False
            else:
                evaluation_id, created = new_evaluation_id(), True
                self.db.execute(
                    "INSERT INTO evaluations (id, name, dataset_id, request_id, request_hash, spec, labels, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [evaluation_id, name, dataset_id, request_id or None, request_hash, json.dumps(spec),
                     json.dumps(labels), time.time()])
                self.jobs.enqueue(EVALUATION_JOB, evaluation_id, {"evaluation_id": evaluation_id}, max_attempts)
        return self.get(evaluation_id), created

    def get(self, evaluation_id: str) -> EvaluationRecord | None:
        row = self.db.execute("SELECT * FROM evaluations WHERE id = ?", [evaluation_id]).fetchone()
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None,
                  dataset_id: str = "") -> tuple[list[EvaluationRecord], str]:
        """Evaluations oldest first (of one dataset when given); returns (page, next_page_token or '')."""
        query, params = "SELECT * FROM evaluations WHERE 1 = 1", []
        if dataset_id:
            query, params = query + " AND dataset_id = ?", params + [dataset_id]
        if after is not None:
            query, params = query + " AND (created_at, id) > (?, ?)", params + [after[0], after[1]]
        rows = self.db.execute(query + " ORDER BY created_at, id LIMIT ?", params + [size + 1]).fetchall()
        records = [self._record(r) for r in rows]
        token = encode_token(records[size - 1].created_at, records[size - 1].id) if len(records) > size else ""
        return records[:size], token

    def newest_first(self) -> Iterable[EvaluationRecord]:
        """Every evaluation, newest first (for validation look-ups)."""
        for row in self.db.execute("SELECT * FROM evaluations ORDER BY created_at DESC, id DESC").fetchall():
            yield self._record(row)

    def set_result(self, evaluation_id: str, result: dict) -> None:
        self.db.execute("UPDATE evaluations SET result = ? WHERE id = ?", [_dumps(result), evaluation_id])

    def delete(self, evaluation_id: str) -> None:
        with transaction(self.db):
            self.db.execute("DELETE FROM evaluations WHERE id = ?", [evaluation_id])
            self.jobs.delete_for_resource(evaluation_id)

    # --- hypotheses ---------------------------------------------------------------------------------
    def done_candidates(self, evaluation_id: str, scope: str) -> set[str]:
        """Model ids whose hypotheses (or turns) for `scope` are committed."""
        rows = self.db.execute(
            "SELECT DISTINCT model_id FROM evaluation_utterances WHERE evaluation_id = ? AND scope = ? "
            "UNION SELECT DISTINCT model_id FROM evaluation_diarization WHERE evaluation_id = ? AND scope = ?",
            [evaluation_id, scope, evaluation_id, scope]).fetchall()
        return {r[0] for r in rows}

    def add_hypotheses(self, evaluation_id: str, scope: str, rows: Sequence[HypothesisRow]) -> None:
        """All of one candidate's hypotheses on one scope, in one transaction (all or nothing)."""
        with transaction(self.db):
            for r in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO evaluation_utterances (evaluation_id, scope, model_id, utterance_id, "
                    "recording_id, speaker, source, start_s, end_s, reference, hypothesis, audio_s, processing_s, "
                    "nonspeech_s, nonspeech_words) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [evaluation_id, scope, r.model_id, r.utterance_id, r.recording_id, r.speaker, r.source,
                     r.start_s, r.end_s, r.reference, r.hypothesis, r.audio_s, r.processing_s, r.nonspeech_s,
                     r.nonspeech_words])

    def add_diarization(self, evaluation_id: str, scope: str, rows: Sequence[DiarizationRow]) -> None:
        with transaction(self.db):
            for r in rows:
                self.db.execute(
                    "INSERT OR REPLACE INTO evaluation_diarization (evaluation_id, scope, model_id, recording_id, "
                    "turns, audio_s, processing_s) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [evaluation_id, scope, r.model_id, r.recording_id, json.dumps([list(t) for t in r.turns]),
                     r.audio_s, r.processing_s])

    def hypotheses(self, evaluation_id: str, scope: str, model_id: str | None = None) -> list[HypothesisRow]:
        query, params = ("SELECT rowid, * FROM evaluation_utterances WHERE evaluation_id = ? AND scope = ?",
                         [evaluation_id, scope])
        if model_id is not None:
            query, params = query + " AND model_id = ?", params + [model_id]
        return [_hypothesis(r) for r in self.db.execute(query + " ORDER BY rowid", params).fetchall()]

    def hypotheses_page(self, evaluation_id: str, model_id: str, errors_only: bool, size: int,
                        after: tuple[float, str] | None) -> tuple[list[HypothesisRow], str]:
        """The evaluated split's hypotheses in insertion order, keyset-paged by rowid."""
        query, params = ("SELECT rowid, * FROM evaluation_utterances WHERE evaluation_id = ? AND scope = ?",
                         [evaluation_id, PRIMARY])
        if model_id:
            query, params = query + " AND model_id = ?", params + [model_id]
        if errors_only:
            query += " AND json_extract(score, '$.errors') > 0"
        if after is not None:
            query, params = query + " AND rowid > ?", params + [int(after[0])]
        rows = [_hypothesis(r) for r in
                self.db.execute(query + " ORDER BY rowid LIMIT ?", params + [size + 1]).fetchall()]
        token = encode_token(float(rows[size - 1].row_id), "") if len(rows) > size else ""
        return rows[:size], token

    def set_scores(self, evaluation_id: str, scope: str, scores: Sequence[tuple[str, str, dict]]) -> None:
        """(model_id, utterance_id, score dict) for each scored utterance, in one transaction."""
        with transaction(self.db):
            for model_id, utterance_id, score in scores:
                self.db.execute(
                    "UPDATE evaluation_utterances SET score = ? WHERE evaluation_id = ? AND scope = ? "
                    "AND model_id = ? AND utterance_id = ?",
                    [_dumps(score), evaluation_id, scope, model_id, utterance_id])

    def diarization(self, evaluation_id: str, scope: str) -> list[DiarizationRow]:
        rows = self.db.execute(
            "SELECT * FROM evaluation_diarization WHERE evaluation_id = ? AND scope = ? ORDER BY model_id, "
            "recording_id", [evaluation_id, scope]).fetchall()
        return [DiarizationRow(r["model_id"], r["recording_id"],
                               tuple((float(a), float(b), str(s)) for a, b, s in json.loads(r["turns"])),
                               r["audio_s"], r["processing_s"]) for r in rows]

    def _record(self, row) -> EvaluationRecord:
        return EvaluationRecord(id=row["id"], name=row["name"], dataset_id=row["dataset_id"],
                                request_id=row["request_id"], spec=json.loads(row["spec"]),
                                result=json.loads(row["result"]), labels=json.loads(row["labels"]),
                                created_at=row["created_at"], job=self.jobs.for_resource(row["id"]))


def _hypothesis(r) -> HypothesisRow:
    return HypothesisRow(model_id=r["model_id"], utterance_id=r["utterance_id"], recording_id=r["recording_id"],
                         speaker=r["speaker"], source=r["source"], start_s=r["start_s"], end_s=r["end_s"],
                         reference=r["reference"], hypothesis=r["hypothesis"], audio_s=r["audio_s"],
                         processing_s=r["processing_s"], nonspeech_s=r["nonspeech_s"],
                         nonspeech_words=r["nonspeech_words"], score=json.loads(r["score"]), row_id=r["rowid"])


def _dumps(data: dict) -> str:
    """Strict JSON (SQLite's JSON functions reject NaN): NaN and infinities are written as the strings "NaN",
    "Infinity", "-Infinity", as protobuf's JSON mapping writes doubles (`float()` reads them back)."""
    return json.dumps(_finite(data), allow_nan=False)


def _finite(value):
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return value if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
