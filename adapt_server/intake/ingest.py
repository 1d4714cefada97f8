"""The dataset ingest job: list every source file (local folder or S3 prefix), decode it, normalize to 16 kHz
PCM16, attach sidecar transcripts and speaker references, run the pipeline steps (vad, diarize, align,
redact) on each recording, store each recording atomically, then split (when asked) and compute stats.

Resumable: a recording is committed in one transaction with everything the steps produced, and its id is
derived from (dataset, file, channel), so a run interrupted by a crash skips the files already committed.
A file that fails to download, decode or go through a step is reported in file_issues; the rest of the
dataset is ingested. Nothing here logs transcript text: messages name files, stages and counts only.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.audio.wav import encode_pcm16_wav
from adapt_server.errors import AdaptError, FailedPrecondition, InvalidArgument
from adapt_server.intake.pipeline import PlannedStep, plan, run_recording_steps
from adapt_server.intake.sources import LocalFiles, SourceAccess, SourceFile, open_reader
from adapt_server.intake.sources.s3 import ObjectMissing
from adapt_server.intake.stats import FAILED_STAGES, dataset_stats
from adapt_server.intake.steps.base import RecordingWork
from adapt_server.intake.steps.resources import StepResources
from adapt_server.intake.steps.speakers import attribute_speakers, recording_name
from adapt_server.intake.steps.split import SplitUnit, assign_splits
from adapt_server.intake.transcripts import MAX_SIDECAR_BYTES, TranscriptError, parse_rttm, parse_transcript
from adapt_server.observability import metrics, tracing
from adapt_server.paths import RefusedFile, read_confined
from adapt_server.spans import Segment, SpeakerTurn
from adapt_server.store.datasets import (
    FileIssueRow,
    RecordingRow,
    RedactionRow,
    TurnRow,
    UtteranceRow,
    dataset_language,
)

SCAN_SHARE, FILES_SHARE = 0.02, 0.95  # fractions of the job's progress bar
MAX_REASON_CHARS = 400


@dataclass(frozen=True)
class Track:
    """One recording to store: a mono signal at 16 kHz and the source channel it came from (-1: downmix)."""
    channel: int
    samples: np.ndarray  # float32 (n_samples,)


class StepFailed(Exception):
    """A pipeline step failed on one file (reported per file; the rest of the dataset goes on)."""


def run_ingest_job(ctx) -> str:
    store, dataset_id = ctx.store, ctx.payload["dataset_id"]
    dataset = store.datasets.get(dataset_id)
    planned = plan(dataset.spec["pipeline"])
    resources = StepResources(store, ctx.config)
    ctx.progress(0.0, "scan", message="listing source files")
    readers = [open_reader(spec, SourceAccess.from_config(ctx.config)) for spec in dataset.spec["sources"]]
    files = [(reader, file) for reader in readers for file in reader.files()]
    done = {i.uri for i in store.datasets.file_issues(dataset_id) if i.stage in FAILED_STAGES}
    tmp_parent = ctx.config.tmp_dir / "ingest" / ctx.job.id  # S3 downloads of this job
    shutil.rmtree(tmp_parent, ignore_errors=True)  # leftovers of a run killed mid-download
    in_process = ctx.executor.name == "local"
    models = {} if in_process else _step_models(store, planned)
    staged = _Staged(store)
    committed = {"files": 0}

    def shards():
        """One shard per source file not yet committed: fetched here, run in process (local executor) or
        staged into the blob store for a node that has no access to the source (jobs/executor.py)."""
        for index, (reader, file) in enumerate(files):
            fraction = SCAN_SHARE + FILES_SHARE * index / max(1, len(files))
            if in_process:
                ctx.progress(fraction, "decode", index, len(files), "files")
            if store.datasets.has_recording(dataset_id, file.uri) or file.uri in done:
                continue  # committed by an earlier, interrupted run
            if file.problem is not None:
                _report(ctx, dataset_id, FileIssueRow(file.uri, "source", file.problem))
                continue
            try:
                with reader.fetch(file, tmp_parent) as local:
                    if in_process:
                        yield FileShard(dataset_id, file, reader.options, tuple(planned), local=local,
                                        resources=resources,
                                        on_step=lambda step, f=fraction, i=index: ctx.progress(f, step, i, len(files),
                                                                                           "files"))
                        continue
                    staged_files, sidecar_issues = staged.put(local)
                    for issue in sidecar_issues:
                        _report(ctx, dataset_id, issue)
                    shard = FileShard(dataset_id, file, reader.options, tuple(planned), models=models,
                                      staged=staged_files)
            except ObjectMissing as exc:
                _report(ctx, dataset_id, FileIssueRow(file.uri, "download", exc.message))
                continue
            except OSError as exc:  # vanished or unreadable since the scan
                _report(ctx, dataset_id, FileIssueRow(file.uri, "decode", f"cannot read the file: "
                                                                          f"{exc.strerror or exc}"))
                continue
            yield shard
        # any other AdaptError (credentials revoked, a step's model unusable) fails the whole job with its status

    def commit(index: int, outcome: "FileOutcome") -> None:
        if outcome.recordings:
            store.datasets.add_recordings(list(outcome.recordings))  # every channel of the file, or none
        for issue in outcome.issues:
            _report(ctx, dataset_id, issue)
        staged.release(outcome.staged)
        committed["files"] += 1
        metrics.shard_committed(INGEST_SHARD, ctx.executor.name)
        if not in_process:
            ctx.progress(SCAN_SHARE + FILES_SHARE * committed["files"] / max(1, len(files)), "files",
                         committed["files"], len(files), "files")

    try:
        ctx.executor.map(INGEST_SHARD, shards(), commit, ctx.check_cancelled)
    finally:
        staged.release_all()
    shutil.rmtree(tmp_parent, ignore_errors=True)
    ctx.progress(SCAN_SHARE + FILES_SHARE, "stats", len(files), len(files), "files", force=True)
    recordings = store.datasets.recordings(dataset_id)
    issues = store.datasets.file_issues(dataset_id)
    if not recordings:
        failed = [i for i in issues if i.stage in FAILED_STAGES]
        raise FailedPrecondition(f"none of the {len(files)} audio files could be ingested; "
                                 f"first problem: {failed[0].uri}: {failed[0].reason}" if failed else
                                 "the sources hold no audio files")
    split = next((p for p in planned if p.name == "split"), None)
    if split is not None:
        _split(ctx, dataset_id, recordings, split)
        recordings = store.datasets.recordings(dataset_id)
    stats = dataset_stats(recordings, store.datasets.utterances(dataset_id), store.datasets.turns(dataset_id),
                          files_failed=len({i.uri for i in issues if i.stage in FAILED_STAGES}),
                          redactions=store.datasets.redactions(dataset_id),
                          language=dataset_language(dataset.spec))
    store.datasets.set_stats(dataset_id, stats)
    return (f"ingested {stats['recordings']} recordings, {stats['hours'] * 60:.1f} min, "
            f"{stats['utterances']} utterances; {stats['files_failed']} files failed")


def _report(ctx, dataset_id: str, issue: FileIssueRow) -> None:
    ctx.store.datasets.add_file_issue(dataset_id, issue)
    ctx.log(f"{issue.uri}: {issue.reason}", level="warning", uri=issue.uri, stage=issue.stage)


# --- shards: one source file each ---------------------------------------------------------------------------
INGEST_SHARD = "adapt_server.intake.ingest:ingest_shard"


@dataclass(frozen=True)
class StagedFiles:
    """A source file and its sidecars as blobs (sha256, file name), with the names issues give the sidecars."""
    audio: tuple[str, str]
    transcript: tuple[str, str] | None = None
    rttm: tuple[str, str] | None = None
    transcript_uri: str = ""
    rttm_uri: str = ""

    @property
    def shas(self) -> list[str]:
        return [entry[0] for entry in (self.audio, self.transcript, self.rttm) if entry is not None]


@dataclass(frozen=True)
class FileShard:
    """One source file to ingest. In process: `local` (the fetched files), `resources`, `on_step`. On another
    node: `staged` (through the blob store) and `models` (catalogue records the steps load, by id)."""
    dataset_id: str
    file: SourceFile
    options: object  # SourceOptions
    planned: tuple[PlannedStep, ...]
    models: dict = field(default_factory=dict)
    staged: StagedFiles | None = None
    local: LocalFiles | None = None
    resources: object = None
    on_step: object = None


@dataclass(frozen=True)
class FileOutcome:
    """What a shard produced: the file's recordings with their rows (committed together), and its issues."""
    recordings: tuple = ()
    issues: tuple[FileIssueRow, ...] = ()
    staged: StagedFiles | None = None


def ingest_shard(node, shard: FileShard) -> FileOutcome:
    """Decodes one file and runs the steps (jobs/executor.py: runs anywhere, writes only blobs)."""
    issues: list[FileIssueRow] = []
    resources = shard.resources if shard.resources is not None else _node_resources(node, shard.models)
    with tracing.span("ingest file", {"adapt.file": shard.file.uri}), _files_here(node, shard) as local:
        try:
            rows = process_file(shard.dataset_id, shard.options, shard.file, local, list(shard.planned), resources,
                                node.blobs, issues, shard.on_step)
        except AudioDecodeError as exc:
            return FileOutcome((), (*issues, FileIssueRow(shard.file.uri, "decode", str(exc))), shard.staged)
        except StepFailed as exc:
            return FileOutcome((), (*issues, FileIssueRow(shard.file.uri, "pipeline", str(exc))), shard.staged)
        except OSError as exc:  # vanished or unreadable since the scan
            return FileOutcome((), (*issues, FileIssueRow(shard.file.uri, "decode",
                                                          f"cannot read the file: {exc.strerror or exc}")),
                               shard.staged)
    return FileOutcome(tuple(rows), tuple(issues), shard.staged)


def _step_models(store, planned: list[PlannedStep]) -> dict:
    """model id -> catalogue record, for the models the steps load (a shard on another node has no store)."""
    from adapt_server.models.loading import aligner_for
    ids = {getattr(p.config, "model", None) for p in planned} - {None}
    models = {model_id: store.models.get(model_id) for model_id in sorted(ids)}
    for model_id, record in list(models.items()):  # what times its words, for a node without the store
        aligner = aligner_for(store, record) if record is not None and record.role == "recognizer" else None
        models[f"aligner:{model_id}"] = aligner
    return models


_node_cache: dict = {}


def _node_resources(node, models: dict) -> StepResources:
    """The step resources of this process for a set of models (kept while consecutive shards share them)."""
    key = tuple(sorted((k, v.sha256 if v else "") for k, v in models.items()))
    if _node_cache.get("key") != key:
        _node_cache.clear()
        _node_cache.update(key=key, resources=StepResources(
            None, None, engine_cache_dir=node.engine_cache_dir, threads=node.thread_budget(),
            models=lambda model_id: node.model_here(models[model_id]) if models.get(model_id) else None))
    return _node_cache["resources"]


@contextlib.contextmanager
def _files_here(node, shard: FileShard):
    """The shard's files on this machine: as fetched (in process) or copied out of the blob store under their
    own names (transcript parsers go by the extension)."""
    if shard.local is not None:
        yield shard.local
        return
    staged = shard.staged
    with tempfile.TemporaryDirectory(prefix="adapt-shard-") as tmp:
        def here(entry):
            if entry is None:
                return None
            sha, name = entry
            path = Path(tmp) / name
            try:
                os.link(node.blobs.path(sha), path)
            except OSError:
                shutil.copyfile(node.blobs.path(sha), path)
            return path
        yield LocalFiles(audio=here(staged.audio), transcript=here(staged.transcript), rttm=here(staged.rttm),
                         transcript_uri=staged.transcript_uri, rttm_uri=staged.rttm_uri)


class _Staged:
    """Source files staged into the blob store for shards on other nodes, deleted once committed (unless a
    recording's audio is the same bytes, or another shard in flight staged the same file)."""

    def __init__(self, store):
        self.store = store
        self.in_flight: dict[str, int] = {}

    def put(self, local: LocalFiles) -> tuple[StagedFiles, list[FileIssueRow]]:
        """Stages the audio (a path, or the file the source already opened confined to its roots) and its
        sidecars, which are read confined to the source roots as in process (ingest._sidecar_segments): a
        refused sidecar is left out, with the issue the in-process path would report."""
        issues: list[FileIssueRow] = []

        def hold(sha: str) -> str:
            self.in_flight[sha] = self.in_flight.get(sha, 0) + 1
            return sha

        def stage_audio(audio) -> tuple[str, str]:
            if isinstance(audio, (str, Path)):
                return hold(self.store.blobs.put_file(Path(audio))), Path(audio).name
            return hold(self.store.blobs.put_open_file(audio)), Path(audio.name).name

        def stage_sidecar(path, consequence: str):
            if path is None:
                return None
            try:
                data = read_confined(path, local.roots, MAX_SIDECAR_BYTES)
            except RefusedFile as exc:
                name = local.name_of(path)
                issues.append(FileIssueRow(name, "transcript", f"{name}: {exc.reason}; {consequence}"))
                return None
            return hold(self.store.blobs.put_bytes(data)), Path(path).name

        staged = StagedFiles(audio=stage_audio(local.audio),
                             transcript=stage_sidecar(local.transcript, "audio ingested without it"),
                             rttm=stage_sidecar(local.rttm, "speaker turns ignored"),
                             transcript_uri=local.name_of(local.transcript) if local.transcript else "",
                             rttm_uri=local.name_of(local.rttm) if local.rttm else "")
        return staged, issues

    def release(self, staged: StagedFiles | None) -> None:
        for sha in staged.shas if staged is not None else ():
            self.in_flight[sha] -= 1
            if not self.in_flight[sha]:
                del self.in_flight[sha]
                if not self.store.datasets.audio_in_use(sha):
                    self.store.blobs.delete(sha)

    def release_all(self) -> None:
        """After a failed or cancelled run: drop what was staged for shards that never committed."""
        for sha in list(self.in_flight):
            del self.in_flight[sha]
            if not self.store.datasets.audio_in_use(sha):
                self.store.blobs.delete(sha)


def process_file(dataset_id: str, options, file: SourceFile, local: LocalFiles, planned: list[PlannedStep],
                 resources, blobs, issues: list[FileIssueRow], on_step=None) -> list[tuple]:
    """Decodes one file and runs the steps on each of its recordings; stores their audio in `blobs` and
    returns the rows to commit ((recording, utterances, turns, redactions) per recording); what went wrong
    with a sidecar, or a step's notes, is appended to `issues`."""
    split_channels = options.channels == "split"
    by_channel = any(p.name == "diarize" and p.config.by_channel for p in planned)
    decoded = decode_audio(local.audio, sample_rate=TARGET_SAMPLE_RATE, keep_channels=split_channels or by_channel)
    tracks = _tracks(decoded.samples, split_channels)
    segments, transcript_format = _sidecar_segments(local, issues)
    rttm_turns = _sidecar_turns(local, issues)
    stem = PurePosixPath(file.uri).stem
    stored, notes = [], []
    for track in tracks:
        track_segments = segments if len(tracks) == 1 else _segments_for_channel(segments, tracks, track)
        default_speaker = f"{stem}:ch{track.channel}" if len(tracks) > 1 else None
        reference_turns = list(rttm_turns) if len(tracks) == 1 else []
        if not reference_turns:
            reference_turns = [SpeakerTurn(s.start, s.end, s.speaker or default_speaker) for s in track_segments
                               if (s.speaker or default_speaker) and s.is_timed and s.end > s.start]
        channels = tuple(np.ascontiguousarray(c) for c in decoded.samples) \
            if by_channel and len(tracks) == 1 and decoded.samples.shape[0] > 1 else ()
        name = recording_name(file.uri, track.channel)
        work = RecordingWork(samples=track.samples, name=name, channels=channels, reference=tuple(track_segments),
                             reference_turns=tuple(reference_turns))
        work = _run_steps(planned, work, resources, on_step)
        rec_id = recording_id(dataset_id, file.uri, track.channel)
        utterances = _utterance_rows(work, track_segments, default_speaker)
        turns = [TurnRow(t.start, t.end, t.speaker) for t in reference_turns]
        turns += [TurnRow(t.start, t.end, t.speaker, origin="diarize") for t in work.diarized]
        sha = blobs.put_bytes(encode_pcm16_wav(work.samples, TARGET_SAMPLE_RATE))
        recording = RecordingRow(
            id=rec_id, dataset_id=dataset_id, source_uri=file.uri, channel=track.channel, audio_sha256=sha,
            duration_s=track.samples.shape[0] / TARGET_SAMPLE_RATE, source_sample_rate=decoded.info.sample_rate,
            source_channels=decoded.info.channels, source_codec=decoded.info.codec,
            transcript_format=transcript_format if track_segments else "",
            speech_s=sum(b - a for a, b in work.speech) if work.speech is not None else None,
            alignment_score=work.alignment_score, redacted=work.redacted)
        stored.append((recording, utterances, turns, _redaction_rows(work)))
        notes += [FileIssueRow(file.uri if len(tracks) == 1 else f"{file.uri}#ch{track.channel}", stage, message)
                  for stage, message in work.notes]
    issues.extend(notes)
    return stored


def _run_steps(planned, work: RecordingWork, resources, on_step) -> RecordingWork:
    """Runs the steps; an unexpected failure becomes StepFailed naming the step (nothing is stored)."""
    current = {"step": ""}

    def started(step: str) -> None:
        current["step"] = step
        if on_step is not None:
            on_step(step)
    try:
        return run_recording_steps(planned, work, resources, started)
    except InvalidArgument as exc:  # this file's content (e.g. audio too short for a step): per file
        raise StepFailed(f"step {current['step']!r}: {exc.message}; the file was not stored") from exc
    except AdaptError:
        raise  # the step's configuration or model is unusable: the whole job fails with it
    except Exception as exc:
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        raise StepFailed(f"step {current['step']!r} failed: {detail[:MAX_REASON_CHARS]}; "
                         "the file was not stored") from exc


def _utterance_rows(work: RecordingWork, segments: list[Segment], default_speaker: str | None) -> list[UtteranceRow]:
    if work.utterances is None:  # not aligned: the reference segments as given
        return [UtteranceRow(i, s.start, s.end, s.speaker or default_speaker, s.text.strip())
                for i, s in enumerate(seg for seg in segments if seg.text.strip())]
    drafts = attribute_speakers(work.utterances, work.reference_turns, work.diarized, work.name, default_speaker)
    return [UtteranceRow(i, u.start, u.end, u.speaker, u.text.strip(), u.origin,
                         tuple((round(w.start, 3), round(w.end, 3), w.text, w.confidence) for w in u.words),
                         u.confidence, u.flag)
            for i, u in enumerate(d for d in drafts if d.text.strip())]


def _redaction_rows(work: RecordingWork) -> list[RedactionRow]:
    rows = []
    utterances = [u for u in (work.utterances or ()) if u.text.strip()]
    for span in work.redactions:
        middle = (span.start + span.end) / 2
        idx = next((i for i, u in enumerate(utterances) if u.start is not None and u.start <= middle <= u.end), None)
        rows.append(RedactionRow(idx, entity_type(span), float(span.start), float(span.end)))
    return rows


def entity_type(span) -> str:
    return str(getattr(span, "entity_type", None) or getattr(span, "type"))


def _split(ctx, dataset_id: str, recordings: list[RecordingRow], step: PlannedStep) -> None:
    store = ctx.store
    speakers: dict[str, set[str]] = {r.id: set() for r in recordings}
    for rid, u in store.datasets.utterances(dataset_id):
        if u.speaker:
            speakers[rid].add(u.speaker)
    for rid, t in store.datasets.turns(dataset_id):
        if t.origin == "reference":
            speakers[rid].add(t.speaker)
    units = [SplitUnit(r.id, r.source_uri, r.duration_s, frozenset(speakers[r.id])) for r in recordings]
    splits = assign_splits(units, step.config)
    store.datasets.set_splits(dataset_id, splits)
    held = sum(1 for s in splits.values() if s == "holdout")
    if held == 0:
        ctx.log(f"split: no recording could go to holdout without sharing a {step.config.by} with train "
                f"({len(recordings)} recordings); every recording is in train", level="warning")


def recording_id(dataset_id: str, uri: str, channel: int) -> str:
    return "rec_" + hashlib.sha256(f"{dataset_id}\0{uri}\0{channel}".encode()).hexdigest()[:16]


def _tracks(samples: np.ndarray, split: bool) -> list[Track]:
    """samples: float32 (channels, n). Split keeps each channel; otherwise (or for mono) one downmix."""
    if split and samples.shape[0] > 1:
        return [Track(c, np.ascontiguousarray(samples[c])) for c in range(samples.shape[0])]
    mono = samples[0] if samples.shape[0] == 1 else samples.mean(axis=0, dtype=np.float32)
    return [Track(-1, np.ascontiguousarray(mono))]


def _sidecar_segments(local: LocalFiles, issues: list[FileIssueRow]) -> tuple[list[Segment], str]:
    if local.transcript is None:
        return [], ""
    try:
        transcript = parse_transcript(local.transcript, roots=local.roots)
    except TranscriptError as exc:
        reason = str(exc).replace(str(local.transcript), local.name_of(local.transcript))
        issues.append(FileIssueRow(local.name_of(local.transcript), "transcript",
                                   f"{reason}; audio ingested without it"))
        return [], ""
    return list(transcript.segments), transcript.format


def _sidecar_turns(local: LocalFiles, issues: list[FileIssueRow]) -> list:
    if local.rttm is None:
        return []
    try:
        return list(parse_rttm(local.rttm, roots=local.roots))
    except TranscriptError as exc:
        reason = str(exc).replace(str(local.rttm), local.name_of(local.rttm))
        issues.append(FileIssueRow(local.name_of(local.rttm), "transcript", f"{reason}; speaker turns ignored"))
        return []


def _segments_for_channel(segments: list[Segment], tracks: list[Track], track: Track) -> list[Segment]:
    """With one speaker per channel, a timed segment belongs to the channel that is loudest over its span."""
    mine = []
    for seg in segments:
        if seg.start is None or seg.end is None:
            continue  # an untimed transcript cannot be split across channels
        a, b = int(seg.start * TARGET_SAMPLE_RATE), max(int(seg.end * TARGET_SAMPLE_RATE), int(seg.start * TARGET_SAMPLE_RATE) + 1)
        energies = [float(np.mean(np.square(t.samples[a:b]))) if b <= t.samples.shape[0] + 1 else 0.0 for t in tracks]
        if int(np.argmax(energies)) == tracks.index(track):
            mine.append(seg)
    return mine

