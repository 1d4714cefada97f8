"""The SQLite schema as an ordered list of migrations. Append new migrations; never edit applied ones."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from adapt_server.store.migration_projects import apply_projects_migration


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str = ""
    # a migration SQL scripts cannot express: apply(db, statements) runs in the migration's transaction after
    # `sql` (statements: store/db.py's script splitter)
    apply: Callable | None = None
    # tables are rebuilt: foreign keys are off while it runs (else DROP TABLE cascades) and checked before COMMIT
    foreign_keys_off: bool = False


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
    Migration(2, "evaluations", """
        CREATE TABLE evaluations (
            id TEXT PRIMARY KEY,                -- "eval_<hex>"
            name TEXT NOT NULL DEFAULT '',
            dataset_id TEXT NOT NULL,           -- no foreign key: a validation record outlives its dataset
            request_id TEXT UNIQUE,
            request_hash TEXT NOT NULL,         -- hash of the create request, to spot a reused request_id
            spec TEXT NOT NULL,                 -- JSON: candidates, metrics, split, normalizer, gates, primary
            result TEXT NOT NULL DEFAULT '{}',  -- JSON: leaderboard, winner, reason, gates, slices, ...
            labels TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        CREATE INDEX evaluations_created ON evaluations(created_at, id);
        CREATE INDEX evaluations_dataset ON evaluations(dataset_id, created_at);

        CREATE TABLE evaluation_utterances (
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,                -- 'primary' (the evaluated split) or 'reference' (gate dataset)
            model_id TEXT NOT NULL,
            utterance_id TEXT NOT NULL,
            recording_id TEXT NOT NULL,
            speaker TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            start_s REAL,
            end_s REAL,
            reference TEXT NOT NULL,
            hypothesis TEXT NOT NULL,
            audio_s REAL NOT NULL,
            processing_s REAL NOT NULL,         -- seconds on the Transcribe code path (speech/service.py)
            nonspeech_s REAL NOT NULL DEFAULT 0,
            nonspeech_words INTEGER NOT NULL DEFAULT 0,
            score TEXT NOT NULL DEFAULT '{}',   -- JSON written when scored: normalized texts, S/D/I, alignment
            PRIMARY KEY (evaluation_id, scope, model_id, utterance_id)
        );

        CREATE TABLE evaluation_diarization (
            evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
            scope TEXT NOT NULL,
            model_id TEXT NOT NULL,
            recording_id TEXT NOT NULL,
            turns TEXT NOT NULL,                -- JSON [[start_s, end_s, speaker], ...]: the hypothesis
            audio_s REAL NOT NULL,
            processing_s REAL NOT NULL,
            PRIMARY KEY (evaluation_id, scope, model_id, recording_id)
        );
    """),
    Migration(3, "intake_pipeline", """
        ALTER TABLE recordings ADD COLUMN speech_s REAL;                 -- vad: seconds of speech, NULL when not run
        ALTER TABLE recordings ADD COLUMN alignment_score REAL;          -- align: 0..1, NULL when not aligned
        ALTER TABLE recordings ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;  -- 1: the stored audio is muted
        ALTER TABLE recordings ADD COLUMN split TEXT NOT NULL DEFAULT '';       -- '' | 'train' | 'holdout'

        ALTER TABLE utterances ADD COLUMN words TEXT;            -- JSON [[start_s, end_s, word, confidence], ...]
        ALTER TABLE utterances ADD COLUMN confidence REAL;       -- mean word confidence 0..1, NULL when unknown
        ALTER TABLE utterances ADD COLUMN flag TEXT NOT NULL DEFAULT '';   -- '' usable; low_alignment; redacted:TYPE
        ALTER TABLE utterances ADD COLUMN split TEXT NOT NULL DEFAULT '';  -- copy of the recording's split

        CREATE TABLE redactions (                                 -- audit: what was redacted, never the value
            dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
            recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
            utterance_idx INTEGER,                                -- the utterance holding it
            entity_type TEXT NOT NULL,                            -- PERSON, US_SSN, MEDICAL_RECORD_NUMBER ...
            start_s REAL NOT NULL,                                -- the muted span, seconds of the recording
            end_s REAL NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX redactions_recording ON redactions(recording_id);
        CREATE INDEX redactions_dataset ON redactions(dataset_id);
    """),
    Migration(4, "fine_tunes_and_deployments", """
        CREATE TABLE fine_tunes (
            id TEXT PRIMARY KEY,                -- "ftjob_abc123"
            request_id TEXT UNIQUE,
            request_hash TEXT NOT NULL,
            base_model TEXT NOT NULL,
            dataset_id TEXT NOT NULL,           -- no foreign key: a fine-tune outlives its dataset
            hyperparameters TEXT NOT NULL,      -- JSON as validated (every field, defaults filled in)
            validation TEXT NOT NULL DEFAULT '{}',
            options TEXT NOT NULL DEFAULT '{}', -- JSON: export_formats, mixin_dataset_id
            model_id TEXT NOT NULL,             -- "ft:<base>:<short id>", registered when the job succeeds
            metrics TEXT NOT NULL DEFAULT '{}',
            exports TEXT NOT NULL DEFAULT '[]',
            labels TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        CREATE INDEX fine_tunes_created ON fine_tunes(created_at, id);

        CREATE TABLE deployments (
            id TEXT PRIMARY KEY,                -- chosen by the user, e.g. "prod-voice"
            revision INTEGER NOT NULL,          -- the active revision
            description TEXT NOT NULL DEFAULT '',
            labels TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX deployments_created ON deployments(created_at, id);

        CREATE TABLE deployment_revisions (
            deployment_id TEXT NOT NULL REFERENCES deployments(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,          -- 1, 2, 3 ... per deployment
            parent INTEGER,                     -- the revision a rollback from this one returns to
            action TEXT NOT NULL,               -- create | update | rollback
            routes TEXT NOT NULL,               -- JSON {"stt": model_id}
            canary TEXT NOT NULL DEFAULT '{}',  -- JSON {"route": "stt", "model": id, "percent": 10} or {}
            forced INTEGER NOT NULL DEFAULT 0,  -- promoted past failed validation gates with force
            note TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            PRIMARY KEY (deployment_id, revision)
        );
    """),
    Migration(6, "model_families", """
        ALTER TABLE models ADD COLUMN role TEXT NOT NULL DEFAULT 'recognizer';  -- recognizer | aligner | diarizer
        ALTER TABLE models ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';     -- JSON list of language codes
        ALTER TABLE models ADD COLUMN parameters INTEGER NOT NULL DEFAULT 0;    -- number of weights, 0 unknown
        ALTER TABLE models ADD COLUMN architecture TEXT NOT NULL DEFAULT '';    -- e.g. Qwen3ASRForConditionalGeneration
    """),
    Migration(7, "model_request_hash", """
        ALTER TABLE models ADD COLUMN request_hash TEXT;  -- hash of the RegisterModel request (NULL before v7)
    """),
    # 8 rebuilds the tables from their own CREATE statements, so the columns 6 and 7 added are kept
    Migration(8, "projects_keys_audit", apply=apply_projects_migration, foreign_keys_off=True),
    Migration(9, "voices_consents_lineage", """
        CREATE TABLE voices (                   -- custom TTS voices (stock voices live in tts/catalog.py)
            id TEXT PRIMARY KEY,                -- "voice_<hex>"
            name TEXT NOT NULL DEFAULT '',
            dataset_id TEXT NOT NULL,           -- no foreign key: a voice outlives its dataset
            speaker TEXT NOT NULL DEFAULT '',   -- the talent's speaker label in the dataset
            consent_id TEXT NOT NULL,           -- consents.id of its signed consent record
            options TEXT NOT NULL DEFAULT '{}', -- JSON: the build options as validated
            consent_check TEXT NOT NULL DEFAULT '{}',  -- JSON: the scores and verdict of the consent checks
            quality TEXT NOT NULL DEFAULT '{}', -- JSON: similarity, start voice, WER, build time (when built)
            pack_sha256 TEXT NOT NULL DEFAULT '',  -- blob of the fitted style pack ('' until built)
            labels TEXT NOT NULL DEFAULT '{}',
            request_id TEXT,
            request_hash TEXT NOT NULL,
            project_id TEXT NOT NULL DEFAULT 'default',
            created_at REAL NOT NULL,
            UNIQUE (project_id, request_id)
        );
        CREATE INDEX voices_created ON voices(created_at, id);
        CREATE INDEX voices_dataset ON voices(dataset_id);

        CREATE TABLE consents (                 -- what allows a voice or a dataset to be used; kept when they go
            id TEXT PRIMARY KEY,                -- "consent_<hex>"
            kind TEXT NOT NULL,                 -- 'voice' (a signed talent consent) | 'dataset' (a provenance)
            subject_id TEXT NOT NULL,           -- the voice or dataset it covers
            record BLOB NOT NULL,               -- voice: the signed envelope; dataset: canonical JSON provenance
            sha256 TEXT NOT NULL,               -- of record
            revoked_at REAL,                    -- NULL while in force
            revoked_reason TEXT NOT NULL DEFAULT '',
            project_id TEXT NOT NULL DEFAULT 'default',
            created_at REAL NOT NULL
        );
        CREATE INDEX consents_subject ON consents(subject_id);

        CREATE TABLE consent_refusals (         -- audit of CreateVoice calls refused by a consent check
            id TEXT PRIMARY KEY,
            dataset_id TEXT NOT NULL,
            speaker TEXT NOT NULL DEFAULT '',
            statement_sha256 TEXT NOT NULL,
            failed_check TEXT NOT NULL,         -- 'statement' | 'speaker' | 'speaker_audio'
            score REAL,
            checks TEXT NOT NULL DEFAULT '{}',  -- JSON: every score computed, the transcript and the reason
            project_id TEXT NOT NULL DEFAULT 'default',
            created_at REAL NOT NULL
        );

        CREATE TABLE lineage_edges (            -- child derives from parent; rows outlive both
            child_id TEXT NOT NULL,
            child_kind TEXT NOT NULL,           -- dataset | fine_tune | model | voice
            parent_id TEXT NOT NULL,
            parent_kind TEXT NOT NULL,          -- consent | dataset | fine_tune | model
            relation TEXT NOT NULL,             -- provenance consent trained_on mixin base_model produced built_from
            created_at REAL NOT NULL,
            project_id TEXT NOT NULL DEFAULT 'default',  -- model ids are per project: so are their edges
            PRIMARY KEY (project_id, child_id, parent_id, relation)
        );
        CREATE INDEX lineage_parent ON lineage_edges(project_id, parent_id);

        CREATE TABLE revocations (              -- a resource that may no longer be used, and which consent says so
            resource_id TEXT NOT NULL,
            resource_kind TEXT NOT NULL,        -- voice | model | dataset | fine_tune
            consent_id TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            revoked_at REAL NOT NULL,
            project_id TEXT NOT NULL DEFAULT 'default',
            PRIMARY KEY (project_id, resource_id)
        );
        CREATE INDEX revocations_consent ON revocations(consent_id);

        INSERT OR IGNORE INTO lineage_edges (child_id, child_kind, parent_id, parent_kind, relation, created_at, project_id)
            SELECT id, 'fine_tune', dataset_id, 'dataset', 'trained_on', created_at, project_id FROM fine_tunes;
        INSERT OR IGNORE INTO lineage_edges (child_id, child_kind, parent_id, parent_kind, relation, created_at, project_id)
            SELECT id, 'fine_tune', base_model, 'model', 'base_model', created_at, project_id FROM fine_tunes;
        INSERT OR IGNORE INTO lineage_edges (child_id, child_kind, parent_id, parent_kind, relation, created_at, project_id)
            SELECT id, 'fine_tune', json_extract(options, '$.mixin_dataset_id'), 'dataset', 'mixin', created_at,
                   project_id
            FROM fine_tunes WHERE COALESCE(json_extract(options, '$.mixin_dataset_id'), '') != '';
        INSERT OR IGNORE INTO lineage_edges (child_id, child_kind, parent_id, parent_kind, relation, created_at, project_id)
            SELECT f.model_id, 'model', f.id, 'fine_tune', 'produced', f.created_at, f.project_id FROM fine_tunes f
            WHERE EXISTS (SELECT 1 FROM models m WHERE m.id = f.model_id AND m.project_id = f.project_id)
    """),
)
