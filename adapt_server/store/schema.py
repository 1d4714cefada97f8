"""The SQLite schema as an ordered list of migrations. Append new migrations; never edit applied ones."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "foundation", """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,                 -- handler name, e.g. "dataset.ingest"
            resource_id TEXT NOT NULL,          -- the dataset/evaluation/... this job produces
            state TEXT NOT NULL,                -- PENDING RUNNING SUCCEEDED FAILED CANCELLED
            payload TEXT NOT NULL DEFAULT '{}', -- JSON handed to the handler
            attempts INTEGER NOT NULL DEFAULT 0,
            max_attempts INTEGER NOT NULL DEFAULT 3,
            lease_token TEXT,                   -- set when claimed; writes from a stale worker are refused
            worker TEXT,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            progress TEXT NOT NULL DEFAULT '{}',
            error_code TEXT,
            error_message TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL
        );
        CREATE INDEX jobs_state ON jobs(state, created_at);
        CREATE UNIQUE INDEX jobs_resource ON jobs(resource_id);

        CREATE TABLE job_events (
            job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            time REAL NOT NULL,
            state TEXT NOT NULL,
            level TEXT NOT NULL,
            message TEXT NOT NULL,
            progress TEXT NOT NULL DEFAULT '{}',
            details TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (job_id, seq)
        );

        CREATE TABLE datasets (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            request_id TEXT UNIQUE,
            request_hash TEXT NOT NULL,         -- hash of the create request, to spot a reused request_id
            spec TEXT NOT NULL,                 -- JSON: sources, pipeline, labels
            stats TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        CREATE INDEX datasets_created ON datasets(created_at, id);

        CREATE TABLE recordings (
            id TEXT PRIMARY KEY,
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            source_uri TEXT NOT NULL,
            channel INTEGER NOT NULL,           -- -1: downmix; 0, 1, ...: one source channel
            audio_sha256 TEXT NOT NULL,
            duration_s REAL NOT NULL,
            source_sample_rate INTEGER NOT NULL,
            source_channels INTEGER NOT NULL,
            source_codec TEXT NOT NULL,
            transcript_format TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            UNIQUE (dataset_id, source_uri, channel)
        );
        CREATE INDEX recordings_blob ON recordings(audio_sha256);

        CREATE TABLE utterances (
            id TEXT PRIMARY KEY,
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start_s REAL,                       -- NULL when the transcript carries no times
            end_s REAL,
            speaker TEXT,
            text TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'reference'  -- 'reference' or 'pseudo'
        );
        CREATE INDEX utterances_recording ON utterances(recording_id, idx);
        CREATE INDEX utterances_dataset ON utterances(dataset_id);

        CREATE TABLE speaker_turns (
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
            start_s REAL NOT NULL,
            end_s REAL NOT NULL,
            speaker TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT 'reference'
        );
        CREATE INDEX speaker_turns_recording ON speaker_turns(recording_id);

        CREATE TABLE file_issues (
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            uri TEXT NOT NULL,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (dataset_id, uri, stage)
        );

        CREATE TABLE models (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,                 -- BUNDLED REGISTERED FINE_TUNED
            family TEXT NOT NULL,
            format TEXT NOT NULL,
            path TEXT NOT NULL,
            base_model TEXT NOT NULL DEFAULT '',
            multilingual INTEGER NOT NULL,
            n_mels INTEGER NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            lineage TEXT NOT NULL DEFAULT '{}',
            labels TEXT NOT NULL DEFAULT '{}',
            description TEXT NOT NULL DEFAULT '',
            request_id TEXT UNIQUE,
            created_at REAL NOT NULL
        );
    """),
)
