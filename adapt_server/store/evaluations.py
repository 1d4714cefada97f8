"""The evaluation tables (migration 2): evaluations, their per-utterance hypotheses and diarization turns.

An evaluation row and its PENDING `evaluation.run` job are created in one transaction. The job writes the
hypotheses of one candidate on one dataset (scope) in one transaction, so an interrupted run resumes with the
candidates not yet committed; the scores and the result are written once at the end.
"""
from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from adapt_server.store.db import transaction
from adapt_server.store.jobs import Job
from adapt_server.store.pages import keyset_page
from adapt_server.store.resources import JobResource, JobResourceTable
from adapt_server.store.scope import ProjectScope

EVALUATION_JOB = "evaluation.run"
EVALUATIONS = JobResource(table="evaluations", noun="evaluation", plural="evaluations", job_kind=EVALUATION_JOB,
                          payload_key="evaluation_id")
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
    """One project's evaluations; reads of their hypotheses and turns are confined to the project too."""

    def __init__(self, db: sqlite_utils.Database, scope: ProjectScope, max_active_jobs: int = 0):
        self.db = db
        self.table = JobResourceTable(db, EVALUATIONS, scope, max_active_jobs)

    # --- evaluations --------------------------------------------------------------------------------
    def create(self, name: str, dataset_id: str, spec: dict, labels: dict, request_id: str | None,
               request_hash: str, max_attempts: int) -> tuple[EvaluationRecord, bool]:
        """Stores the evaluation and its PENDING job atomically (idempotent by request_id, see
        store/resources.py). Returns (evaluation, created)."""
        evaluation_id, created = self.table.create(
            request_id, request_hash, max_attempts,
            lambda: {"id": new_evaluation_id(), "name": name, "dataset_id": dataset_id, "spec": json.dumps(spec),
                     "labels": json.dumps(labels)})
        return self.get(evaluation_id), created

    def get(self, evaluation_id: str) -> EvaluationRecord | None:
        row = self.table.row(evaluation_id)
        return self._record(row) if row else None

    def list_page(self, size: int, after: tuple[float, str] | None,
                  dataset_id: str = "") -> tuple[list[EvaluationRecord], str]:
        """Evaluations oldest first (of one dataset when given); returns (page, next_page_token or '')."""
        rows, token = self.table.page(size, after, [("dataset_id = ?", [dataset_id])] if dataset_id else [])
        return [self._record(r) for r in rows], token

    def newest_first(self) -> Iterable[EvaluationRecord]:
        """Every evaluation, newest first (for validation look-ups)."""
        for row in self.table.scoped.rows(descending=True):
            yield self._record(row)

    def set_result(self, evaluation_id: str, result: dict) -> None:
        visible, params = self.table.scoped.visible(writable=True)
        self.db.execute(f"UPDATE evaluations SET result = ? WHERE id = ? AND {visible}",
                        [_dumps(result), evaluation_id, *params])

    def delete(self, evaluation_id: str) -> None:
        self.table.delete(evaluation_id)

    # --- hypotheses ---------------------------------------------------------------------------------
    def done_candidates(self, evaluation_id: str, scope: str) -> set[str]:
        """Model ids whose hypotheses (or turns) for `scope` are committed."""
        owned, params = self.table.owned("evaluation_id")
        rows = self.db.execute(
            f"SELECT DISTINCT model_id FROM evaluation_utterances WHERE evaluation_id = ? AND scope = ? AND {owned} "
            "UNION SELECT DISTINCT model_id FROM evaluation_diarization "
            f"WHERE evaluation_id = ? AND scope = ? AND {owned}",
            [evaluation_id, scope, *params, evaluation_id, scope, *params]).fetchall()
        return {r[0] for r in rows}

    def committed_units(self, evaluation_id: str, scope: str, model_id: str) -> set[str]:
        """The utterance ids (ASR) and recording ids (diarizers) of `model_id` committed for `scope`: a shard
        (evaluation/job.py) is committed whole or not at all, so a resumed job skips the shards found here."""
        rows = self.db.execute(
            "SELECT utterance_id FROM evaluation_utterances WHERE evaluation_id = ? AND scope = ? AND model_id = ? "
            "UNION SELECT recording_id FROM evaluation_diarization WHERE evaluation_id = ? AND scope = ? "
            "AND model_id = ?", [evaluation_id, scope, model_id, evaluation_id, scope, model_id]).fetchall()
        return {r[0] for r in rows}

    def add_hypotheses(self, evaluation_id: str, scope: str, rows: Sequence[HypothesisRow]) -> None:
        """Hypotheses of one candidate on one scope (a shard's), in one transaction (all or nothing); keyed by
        utterance, so committing the same shard twice changes nothing."""
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
        owned, owned_params = self.table.owned("evaluation_id")
        query, params = ("SELECT rowid, * FROM evaluation_utterances "
                         f"WHERE evaluation_id = ? AND scope = ? AND {owned}", [evaluation_id, scope, *owned_params])
        if model_id is not None:
            query, params = query + " AND model_id = ?", params + [model_id]
        return [_hypothesis(r) for r in self.db.execute(query + " ORDER BY rowid", params).fetchall()]

    def hypotheses_page(self, size: int, after: tuple[float, str] | None, evaluation_id: str, model_id: str = "",
                        errors_only: bool = False) -> tuple[list[HypothesisRow], str]:
        """The evaluated split's hypotheses in insertion order (of one model, with errors only, when asked),
        keyset-paged by rowid."""
        filters = [("evaluation_id = ? AND scope = ?", [evaluation_id, PRIMARY]), self.table.owned("evaluation_id")]
        if model_id:
            filters.append(("model_id = ?", [model_id]))
        if errors_only:
            filters.append(("json_extract(score, '$.errors') > 0", []))
        rows, token = keyset_page(self.db, "SELECT rowid, * FROM evaluation_utterances", size,
                                  (int(after[0]), "") if after is not None else None, filters, keys=("rowid",),
                                  row_key=lambda row: (float(row["rowid"]), ""))
        return [_hypothesis(r) for r in rows], token

    def set_scores(self, evaluation_id: str, scope: str, scores: Sequence[tuple[str, str, dict]]) -> None:
        """(model_id, utterance_id, score dict) for each scored utterance, in one transaction."""
        with transaction(self.db):
            for model_id, utterance_id, score in scores:
                self.db.execute(
                    "UPDATE evaluation_utterances SET score = ? WHERE evaluation_id = ? AND scope = ? "
                    "AND model_id = ? AND utterance_id = ?",
                    [_dumps(score), evaluation_id, scope, model_id, utterance_id])

    def diarization(self, evaluation_id: str, scope: str) -> list[DiarizationRow]:
        owned, params = self.table.owned("evaluation_id")
        rows = self.db.execute(
            f"SELECT * FROM evaluation_diarization WHERE evaluation_id = ? AND scope = ? AND {owned} "
            "ORDER BY model_id, recording_id", [evaluation_id, scope, *params]).fetchall()
        return [DiarizationRow(r["model_id"], r["recording_id"],
                               tuple((float(a), float(b), str(s)) for a, b, s in json.loads(r["turns"])),
                               r["audio_s"], r["processing_s"]) for r in rows]

    def _record(self, row) -> EvaluationRecord:
        return EvaluationRecord(id=row["id"], name=row["name"], dataset_id=row["dataset_id"],
                                request_id=row["request_id"], spec=json.loads(row["spec"]),
                                result=json.loads(row["result"]), labels=json.loads(row["labels"]),
                                created_at=row["created_at"], job=self.table.job(row["id"]))


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
