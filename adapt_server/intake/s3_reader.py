"""Reads an S3 source during ingest: one listing, then each audio object (and its sidecars) streamed to a
temporary folder that is removed once the recording is committed.

Sidecars are found like on disk: `calls/a.wav` takes `calls/a.json|.srt|.vtt|.txt` and `calls/a.rttm` from
the same listing. Objects that are neither audio nor a sidecar are reported as skipped (stage "source").
"""
from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path, PurePosixPath
from typing import Iterator

from adapt_server.intake.s3 import S3Source, sibling_keys
from adapt_server.intake.sources import AUDIO_EXTENSIONS, LocalFiles, SourceFile
from adapt_server.intake.transcripts import RTTM_EXTENSION, TRANSCRIPT_EXTENSIONS

SIDECAR_EXTENSIONS = frozenset(TRANSCRIPT_EXTENSIONS) | {RTTM_EXTENSION}


def is_audio_key(key: str) -> bool:
    return PurePosixPath(key).suffix.lower() in AUDIO_EXTENSIONS


class S3Reader:
    """Lists `source` once (raises NotFound / Unauthenticated / PermissionDenied like S3Source.check)."""

    def __init__(self, source: S3Source):
        self.source = source
        self.client = source.client()
        self.objects = source.objects(self.client)
        self.keys = {o.key for o in self.objects}

    @property
    def options(self):
        return self.source.options

    def files(self) -> list[SourceFile]:
        """Audio objects (usable) and other objects that are not sidecars (skipped, with the reason)."""
        files = []
        for obj in self.objects:
            suffix = PurePosixPath(obj.key).suffix.lower()
            if obj.key.endswith("/") or suffix in SIDECAR_EXTENSIONS:
                continue  # a "folder" marker or a sidecar of some audio object
            uri = self.source.object_uri(obj.key)
            if suffix in AUDIO_EXTENSIONS:
                files.append(SourceFile(uri, None if obj.size > 0 else "the object is empty (0 bytes)"))
            else:
                files.append(SourceFile(uri, f"not an audio file (extension {suffix or 'none'!r}); skipped"))
        return files

    def key(self, file: SourceFile) -> str:
        return file.uri[len(f"s3://{self.source.bucket}/"):]

    @contextlib.contextmanager
    def fetch(self, file: SourceFile, tmp_parent: Path) -> Iterator[LocalFiles]:
        """Downloads the object and its sidecars into a temporary folder, removed on exit."""
        key = self.key(file)
        tmp_parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="s3-", dir=tmp_parent) as tmp:
            folder = Path(tmp)
            audio = folder / PurePosixPath(key).name
            self.source.download(self.client, key, audio)
            transcript_key = sibling_keys(key, TRANSCRIPT_EXTENSIONS, self.keys)
            rttm_key = sibling_keys(key, (RTTM_EXTENSION,), self.keys)
            yield LocalFiles(audio=audio, transcript=self._download(transcript_key, folder),
                             rttm=self._download(rttm_key, folder),
                             transcript_uri=self.source.object_uri(transcript_key) if transcript_key else "",
                             rttm_uri=self.source.object_uri(rttm_key) if rttm_key else "")

    def _download(self, key: str | None, folder: Path) -> Path | None:
        if key is None:
            return None
        path = folder / PurePosixPath(key).name
        self.source.download(self.client, key, path)
        return path


def s3_has_audio(source: S3Source, max_pages: int = 10) -> bool:
    """True when the prefix holds an audio object (stops at the first; looks at most max_pages pages)."""
    client = source.client()
    from adapt_server.intake.s3 import s3_errors
    kwargs = {"Bucket": source.bucket, "Prefix": source.prefix}
    if not source.options.recursive:
        kwargs["Delimiter"] = "/"
    with s3_errors(source):
        for number, page in enumerate(client.get_paginator("list_objects_v2").paginate(**kwargs)):
            if any(is_audio_key(o["Key"]) for o in page.get("Contents", [])):
                return True
            if number + 1 >= max_pages:
                return True  # a large listing: let the ingest report it rather than scan it all here
    return False
