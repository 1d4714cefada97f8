"""Content-addressed blob store: files named by the SHA-256 of their bytes, written atomically.

Layout: <root>/sha256/ab/abcdef... for blobs and <root>/trees/<sha256>/ for directories (a model), whose
files are hard links to blobs. A write goes to a temporary file in the same filesystem, is fsynced, then
renamed into place, so a reader never sees a half-written blob, even after kill -9.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

CHUNK_BYTES = 1 << 20


class BlobStore:
    def __init__(self, root: Path):
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        (root / "sha256").mkdir(exist_ok=True)
        (root / "trees").mkdir(exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Stores `data`; returns its SHA-256 hex digest. Storing the same bytes twice is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            self._publish(lambda f: f.write(data), sha)
        return sha

    def put_file(self, source: Path) -> str:
        """Stores a copy of the file at `source` (streamed, any size); returns its SHA-256."""
        digest = hashlib.sha256()
        with open(source, "rb") as f:
            for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        if not self.exists(sha):
            def copy(out):
                with open(source, "rb") as f:
                    shutil.copyfileobj(f, out, CHUNK_BYTES)
            self._publish(copy, sha)
        return sha

    def read_bytes(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def delete(self, sha256: str) -> bool:
        try:
            self.path(sha256).unlink()
            return True
        except FileNotFoundError:
            return False

    def put_tree(self, directory: Path) -> tuple[str, Path]:
        """Stores every regular file under `directory`; returns (tree sha256, materialized directory).

        The tree hash covers the sorted (relative path, file sha256) manifest, so two directories with the
        same files get the same address. The materialized directory holds hard links (or copies across
        filesystems) and appears atomically via a rename.
        """
        manifest = {}
        for file in sorted(p for p in directory.rglob("*") if p.is_file()):
            manifest[file.relative_to(directory).as_posix()] = self.put_file(file)
        if not manifest:
            raise ValueError(f"{directory} holds no files")
        tree_sha = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
        target = self.root / "trees" / tree_sha
        if target.is_dir():
            return tree_sha, target
        staging = Path(tempfile.mkdtemp(dir=self.tmp, prefix="tree-"))
        for rel, sha in manifest.items():
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.path(sha), dest)
            except OSError:
                shutil.copyfile(self.path(sha), dest)
        (staging / ".manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=1))
        try:
            os.rename(staging, target)
        except OSError:  # another writer published the same tree first
            shutil.rmtree(staging, ignore_errors=True)
        return tree_sha, target

    def delete_tree(self, tree_sha: str) -> None:
        shutil.rmtree(self.root / "trees" / tree_sha, ignore_errors=True)

    def _publish(self, write, sha: str) -> None:
        dest = self.path(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="blob-")
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, dest)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    def clean_tmp(self) -> int:
        """Removes leftovers of writes interrupted by a crash; returns how many entries went."""
        removed = 0
        for entry in self.tmp.iterdir():
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            removed += 1
        return removed
