"""The dataset ingest job: decode every source file, normalize to 16 kHz PCM16, attach sidecar transcripts
and speaker references, store each recording atomically, then compute stats.

Resumable: a recording is committed in one transaction with its utterances, and its id is derived from
(dataset, file, channel), so a run interrupted by a crash skips the files already committed.
A file that fails to decode is reported in file_issues; the rest of the dataset is ingested.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.decode import AudioDecodeError, decode_audio
from adapt_server.audio.wav import encode_pcm16_wav
from adapt_server.errors import FailedPrecondition
from adapt_server.intake.sources import LocalSource, iter_audio_files
from adapt_server.intake.stats import dataset_stats
from adapt_server.intake.transcripts import (TranscriptError, find_rttm, find_sidecar, parse_rttm,
                                             parse_transcript)
from adapt_server.spans import Segment
from adapt_server.store.datasets import FileIssueRow, RecordingRow, TurnRow, UtteranceRow

SCAN_SHARE, FILES_SHARE = 0.02, 0.95  # fractions of the job's progress bar


@dataclass(frozen=True)
class Track:
    """One recording to store: a mono signal at 16 kHz and the source channel it came from (-1: downmix)."""
    channel: int
    samples: np.ndarray  # float32 (n_samples,)


def run_ingest_job(ctx) -> str:
    store, dataset_id = ctx.store, ctx.payload["dataset_id"]
    dataset = store.datasets.get(dataset_id)
    roots = ctx.config.source_roots
    ctx.progress(0.0, "scan", message="listing source files")
    files = [(source, path, problem)
             for source in (LocalSource.from_spec(s) for s in dataset.spec["sources"])
             for path, problem in iter_audio_files(source, roots)]
    done_issues = {(i.uri, i.stage) for i in store.datasets.file_issues(dataset_id)}
    for index, (source, path, problem) in enumerate(files):
        ctx.progress(SCAN_SHARE + FILES_SHARE * index / max(1, len(files)), "decode", index, len(files), "files")
        uri = str(path)
        if store.datasets.has_recording(dataset_id, uri) or (uri, "decode") in done_issues:
            continue  # committed by an earlier, interrupted run
        if problem is not None:
            _report(ctx, dataset_id, FileIssueRow(uri, "source", problem))
            continue
        try:
            ingest_file(store, dataset_id, source, path, ctx)
        except AudioDecodeError as exc:
            _report(ctx, dataset_id, FileIssueRow(uri, "decode", str(exc)))
        except OSError as exc:  # vanished or unreadable since the scan
            _report(ctx, dataset_id, FileIssueRow(uri, "decode", f"cannot read the file: {exc.strerror or exc}"))
    ctx.progress(SCAN_SHARE + FILES_SHARE, "stats", len(files), len(files), "files", force=True)
    recordings = store.datasets.recordings(dataset_id)
    issues = store.datasets.file_issues(dataset_id)
    if not recordings:
        raise FailedPrecondition(f"none of the {len(files)} audio files could be ingested; "
                                 f"first problem: {issues[0].uri}: {issues[0].reason}" if issues else
                                 "the sources hold no audio files")
    stats = dataset_stats(recordings, store.datasets.utterances(dataset_id), store.datasets.turns(dataset_id),
                          files_failed=len({i.uri for i in issues if i.stage in ("decode", "source")}))
    store.datasets.set_stats(dataset_id, stats)
    return (f"ingested {stats['recordings']} recordings, {stats['hours'] * 60:.1f} min, "
            f"{stats['utterances']} utterances; {stats['files_failed']} files failed")


def _report(ctx, dataset_id: str, issue: FileIssueRow) -> None:
    ctx.store.datasets.add_file_issue(dataset_id, issue)
    ctx.log(f"{issue.uri}: {issue.reason}", level="warning", uri=issue.uri, stage=issue.stage)


def ingest_file(store, dataset_id: str, source: LocalSource, path: Path, ctx) -> None:
    """Decodes one file and commits its recording(s) with transcript and speaker turns."""
    split = source.options.channels == "split"
    decoded = decode_audio(path, sample_rate=TARGET_SAMPLE_RATE, keep_channels=split)
    tracks = _tracks(decoded.samples, split)
    segments, transcript_format = _sidecar_segments(ctx, dataset_id, path)
    reference_turns = _sidecar_turns(ctx, dataset_id, path)
    for track in tracks:
        sha = store.blobs.put_bytes(encode_pcm16_wav(track.samples, TARGET_SAMPLE_RATE))
        track_segments = segments if len(tracks) == 1 else _segments_for_channel(segments, tracks, track)
        default_speaker = f"{path.stem}:ch{track.channel}" if len(tracks) > 1 else None
        utterances = [UtteranceRow(i, s.start, s.end, s.speaker or default_speaker, s.text.strip())
                      for i, s in enumerate(seg for seg in track_segments if seg.text.strip())]
        turns = [TurnRow(t.start, t.end, t.speaker) for t in reference_turns] if len(tracks) == 1 else []
        if not turns:
            turns = [TurnRow(u.start_s, u.end_s, u.speaker) for u in utterances
                     if u.speaker and u.start_s is not None and u.end_s is not None and u.end_s > u.start_s]
        recording = RecordingRow(
            id=recording_id(dataset_id, str(path), track.channel), dataset_id=dataset_id, source_uri=str(path),
            channel=track.channel, audio_sha256=sha, duration_s=track.samples.shape[0] / TARGET_SAMPLE_RATE,
            source_sample_rate=decoded.info.sample_rate, source_channels=decoded.info.channels,
            source_codec=decoded.info.codec, transcript_format=transcript_format if utterances else "")
        store.datasets.add_recording(recording, utterances, turns)


def recording_id(dataset_id: str, uri: str, channel: int) -> str:
    return "rec_" + hashlib.sha256(f"{dataset_id}\0{uri}\0{channel}".encode()).hexdigest()[:16]


def _tracks(samples: np.ndarray, split: bool) -> list[Track]:
    """samples: float32 (channels, n). Split keeps each channel; otherwise (or for mono) one downmix."""
    if split and samples.shape[0] > 1:
        return [Track(c, np.ascontiguousarray(samples[c])) for c in range(samples.shape[0])]
    mono = samples[0] if samples.shape[0] == 1 else samples.mean(axis=0, dtype=np.float32)
    return [Track(-1, np.ascontiguousarray(mono))]


def _sidecar_segments(ctx, dataset_id: str, path: Path) -> tuple[list[Segment], str]:
    sidecar = find_sidecar(path)
    if sidecar is None:
        return [], ""
    try:
        transcript = parse_transcript(sidecar)
    except TranscriptError as exc:
        _report(ctx, dataset_id, FileIssueRow(str(sidecar), "transcript", f"{exc}; audio ingested without it"))
        return [], ""
    return list(transcript.segments), transcript.format


def _sidecar_turns(ctx, dataset_id: str, path: Path) -> list:
    rttm = find_rttm(path)
    if rttm is None:
        return []
    try:
        return list(parse_rttm(rttm))
    except TranscriptError as exc:
        _report(ctx, dataset_id, FileIssueRow(str(rttm), "transcript", f"{exc}; speaker turns ignored"))
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
