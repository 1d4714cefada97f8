"""Content-addressed blob store: files named by the SHA-256 of their bytes, written atomically.

Layout: <root>/sha256/ab/abcdef... for blobs and <root>/trees/<sha256>/ for directories (a model), whose
files are hard links to blobs. A write goes to a temporary file in the same filesystem, is fsynced, then
linked (or renamed) into place, so a reader never sees a half-written blob, even after kill -9.

A directory is stored from regular files and folders only: a symbolic link (or a FIFO, socket or device)
anywhere in it is refused with `UnsafeTreeEntry`, never followed. A model directory registered by path
lies in an operator's root but may hold links planted by anyone who can write there (`tokenizer.json ->
/proc/self/environ`); following only "safe" links would leave a window between the check and the read,
and the store keeps copies anyway, so there is nothing to gain. The walk opens every folder and file
relative to its parent's descriptor with O_NOFOLLOW and hashes and copies from the descriptor it checked.

The store is shared by every project, so storing content that is already there does the same work as
storing new content (written, fsynced, then kept or dropped): how long a RegisterModel or an ingest takes
does not tell whether another project stored the same bytes (docs/security.md, side doors).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from adapt_server.errors import InvalidArgument
from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec

CHUNK_BYTES = 1 << 20
_OPEN_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: if a FIFO is swapped in after the check, opening it returns at once instead of waiting forever
_OPEN_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafeTreeEntry(InvalidArgument):
    """A directory to store holds something other than regular files and folders (a symbolic link, a FIFO,
    a socket, a device); `path` is the offending entry relative to the directory."""

    def __init__(self, directory: Path, path: str, kind: str):
        super().__init__(
            f"{directory} holds {path!r}, {kind}; a model directory may hold only regular files and folders "
            "(links are never followed: one can lead to any file the server can read). Replace it with a copy "
            "of what it points to (`cp -rL SRC DST` copies a folder without links) and try again")
        self.directory, self.path, self.kind = directory, path, kind


class BlobStore(Blobs):
    """The local store: blobs and trees under `root` in the data directory (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        (root / "sha256").mkdir(exist_ok=True)
        (root / "trees").mkdir(exist_ok=True)

    @property
    def spec(self) -> BlobStoreSpec:
        return BlobStoreSpec(local_root=str(self.root))

    def path(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def tree_dir(self, tree_sha: str) -> Path:
        target = self.root / "trees" / tree_sha
        if not target.is_dir():
            raise FileNotFoundError(f"tree {tree_sha} is not in the blob store at {self.root}")
        return target

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_bytes(self, data: bytes) -> str:
        """Stores `data`; returns its SHA-256 hex digest. Storing the same bytes twice is a no-op."""
        sha = hashlib.sha256(data).hexdigest()
        self._publish(lambda f: f.write(data), sha)
        return sha

    def put_file(self, source: Path) -> str:
        """Stores a copy of the file at `source` (streamed, any size); returns its SHA-256."""
        with open(source, "rb") as f:
            return self.put_open_file(f)

    def put_open_file(self, f) -> str:
        """Stores the contents of the open binary file `f` (read from its start); returns its SHA-256."""
        digest = hashlib.sha256()
        f.seek(0)
        for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
            digest.update(chunk)
        sha = digest.hexdigest()

        def copy(out):
            f.seek(0)
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

    def check_tree(self, directory: Path) -> None:
        """Raises UnsafeTreeEntry (INVALID_ARGUMENT) naming the first symbolic link or special file under
        `directory`; opens its entries but reads no file's contents. Call it before anything else reads the files
        through their paths (a model inspection follows links)."""
        for _ in _regular_files(directory):
            pass

    def put_tree(self, directory: Path) -> tuple[str, Path]:
        """Stores every regular file under `directory`; returns (tree sha256, materialized directory).

        The tree hash covers the sorted (relative path, file sha256) manifest, so two directories with the
        same files get the same address. The materialized directory holds hard links (or copies across
        filesystems) and appears atomically via a rename. Raises UnsafeTreeEntry (INVALID_ARGUMENT) naming
        the first symbolic link or special file found, before anything is stored.
        """
        self.check_tree(directory)  # refuse before storing anything
        manifest = {}
        for rel, f in _regular_files(directory):
            manifest[rel] = self.put_open_file(f)
        if not manifest:
            raise ValueError(f"{directory} holds no files")
        tree_sha = tree_hash(manifest)
        return tree_sha, publish_tree(self.root / "trees" / tree_sha, manifest, self.path, self.tmp)

    def delete_tree(self, tree_sha: str) -> None:
        shutil.rmtree(self.root / "trees" / tree_sha, ignore_errors=True)

    def _publish(self, write, sha: str) -> None:
        """Writes and fsyncs a temporary file, then links it into place unless the blob exists (an existing
        blob is never replaced: trees hold hard links to it); the temporary file goes either way."""
        dest = self.path(sha)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="blob-")
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp_name, dest)
            except FileExistsError:
                pass
            except OSError:  # a filesystem without hard links: rename, unless the blob appeared meanwhile
                if not dest.exists():
                    os.replace(tmp_name, dest)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def clean_tmp(self) -> int:
        """Removes leftovers of writes interrupted by a crash; returns how many entries went."""
        removed = 0
        for entry in self.tmp.iterdir():
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            removed += 1
        return removed


def tree_hash(manifest: dict[str, str]) -> str:
    """The address of a tree: SHA-256 of its (relative path -> blob sha256) manifest as sorted JSON."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def publish_tree(target: Path, manifest: dict[str, str], blob_path, tmp: Path) -> Path:
    """Makes `target` a directory of the manifest's files (relative path -> blob sha256, each read from
    blob_path(sha)): hard links, or copies across file systems, staged under `tmp` and published by one rename,
    so a reader sees the whole tree or none. When the tree is there already (another writer published it
    first), the staged copy is dropped: the same content either way. Returns `target`."""
    staging = Path(tempfile.mkdtemp(dir=tmp, prefix="tree-"))
    for rel, sha in manifest.items():
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(blob_path(sha), dest)
        except OSError:
            shutil.copyfile(blob_path(sha), dest)
    (staging / ".manifest.json").write_text(json.dumps(manifest, sort_keys=True, indent=1))
    try:
        os.rename(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def regular_files(directory: Path) -> Iterator[tuple[str, object]]:
    """(relative posix path, open binary file) of every regular file under `directory`, refusing links and
    special files (UnsafeTreeEntry); what put_tree stores, for the other store implementations."""
    return _regular_files(directory)


def _regular_files(directory: Path) -> Iterator[tuple[str, object]]:
    """(relative posix path, open binary file) for every regular file under `directory`, in sorted order,
    each file closed when the iteration moves on. Raises UnsafeTreeEntry for a symbolic link or special file
    at any depth. `directory` itself is opened as given (callers resolve and check it)."""
    root_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield from _walk(directory, root_fd, "")
    finally:
        os.close(root_fd)


def _walk(directory: Path, dir_fd: int, prefix: str) -> Iterator[tuple[str, object]]:
    with os.scandir(dir_fd) as entries:
        names = sorted(entry.name for entry in entries)
    for name in names:
        rel = prefix + name
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            raise UnsafeTreeEntry(directory, rel, _CHANGED) from None
        if stat.S_ISDIR(info.st_mode):
            child = _open_checked(directory, rel, name, dir_fd, _OPEN_DIRECTORY, info)
            try:
                yield from _walk(directory, child, rel + "/")
            finally:
                os.close(child)
        elif stat.S_ISREG(info.st_mode):
            fd = _open_checked(directory, rel, name, dir_fd, _OPEN_FILE, info)
            with os.fdopen(fd, "rb") as f:
                yield rel, f
        else:
            raise UnsafeTreeEntry(directory, rel, _kind(info.st_mode))


def _open_checked(directory: Path, rel: str, name: str, dir_fd: int, flags: int, expected: os.stat_result) -> int:
    """Opens `name` under `dir_fd` without following a link, and checks it is still the entry that was
    listed (same type, device and inode): an entry swapped for a link or a FIFO in between is refused."""
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:  # ELOOP: it became a symbolic link after the listing; ENOENT: it went away
        raise UnsafeTreeEntry(directory, rel, _CHANGED) from exc
    opened = os.fstat(fd)
    if (stat.S_IFMT(opened.st_mode), opened.st_dev, opened.st_ino) != \
            (stat.S_IFMT(expected.st_mode), expected.st_dev, expected.st_ino):
        os.close(fd)
        raise UnsafeTreeEntry(directory, rel, _CHANGED)
    return fd


_CHANGED = "an entry that changed while it was being read"


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "not a regular file"
