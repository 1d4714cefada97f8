"""The blob store's interface, which the local store (store/blobs.py) and the S3 store (store/blobstore_s3.py)
both implement, and the spec that tells another process or node how to open the same store.

A blob is an immutable file named by the SHA-256 of its bytes; a tree is a directory (a model) stored as
blobs plus a manifest of (relative path -> blob sha256), named by the SHA-256 of that manifest. Both stores
give the same guarantees: a reader never sees a partial blob or tree (the local store writes to a temporary
file and renames it into place; S3 publishes an object whole when its upload completes, and a tree's
manifest is uploaded after every blob it names), and every read of a remote blob is checked against its
name before anyone uses it.

Callers work with local paths: `path(sha)` and `tree_dir(sha)` return files on this machine (for S3, from a
per-node cache filled on demand), so engines, decoders and training read plain files either way.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BlobStoreSpec:
    """How to open a blob store, picklable: what a job's shards carry to the node that runs them.

    url: "" for the local store at `local_root`; "s3://bucket/prefix" for S3 (credentials from the usual AWS
    chain of the process that opens it). endpoint: an S3-compatible endpoint URL ("" = AWS). cache_dir: where
    an S3 store keeps its per-node cache ("" = the node's default, see store/blobstore_s3.py).
    """

    url: str = ""
    local_root: str = ""
    endpoint: str = ""
    cache_dir: str = ""

    @property
    def is_local(self) -> bool:
        return not self.url

    def on_node(self, cache_dir: str = "") -> "BlobStoreSpec":
        """The spec as another node opens it: the same store, that node's own cache."""
        return BlobStoreSpec(self.url, self.local_root, self.endpoint, cache_dir)


class Blobs(abc.ABC):
    """The content-addressed blob store (see the module docstring)."""

    @property
    @abc.abstractmethod
    def spec(self) -> BlobStoreSpec:
        """How another process or node opens this store."""

    @abc.abstractmethod
    def path(self, sha256: str) -> Path:
        """A local file holding the blob (S3: downloaded into this node's cache and verified on first use).
        The local store returns its path even for a blob it lacks; the S3 store raises FileNotFoundError."""

    @abc.abstractmethod
    def exists(self, sha256: str) -> bool: ...

    @abc.abstractmethod
    def put_bytes(self, data: bytes) -> str:
        """Stores `data`; returns its SHA-256 hex digest. Storing the same bytes twice is a no-op."""

    @abc.abstractmethod
    def put_file(self, source: Path) -> str:
        """Stores a copy of the file at `source` (streamed, any size); returns its SHA-256."""

    @abc.abstractmethod
    def put_open_file(self, f) -> str:
        """Stores the contents of the open binary file `f` (read from its start, streamed); returns its SHA-256.
        For files the caller opened itself (a source file opened confined to its roots: paths.open_confined)."""

    def read_bytes(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    @abc.abstractmethod
    def delete(self, sha256: str) -> bool:
        """Removes the blob; False when it was not there."""

    @abc.abstractmethod
    def check_tree(self, directory: Path) -> None:
        """Raises UnsafeTreeEntry for the first symbolic link or special file under `directory`."""

    @abc.abstractmethod
    def put_tree(self, directory: Path) -> tuple[str, Path]:
        """Stores every regular file under `directory`; returns (tree sha256, the tree as a local directory)."""

    @abc.abstractmethod
    def tree_dir(self, tree_sha: str) -> Path:
        """The stored tree as a local directory (S3: materialized into this node's cache on first use)."""

    @abc.abstractmethod
    def delete_tree(self, tree_sha: str) -> None: ...

    @abc.abstractmethod
    def clean_tmp(self) -> int:
        """Removes leftovers of writes interrupted by a crash; returns how many entries went."""
