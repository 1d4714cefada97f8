"""The blob store on S3 (or any S3-compatible server), so that job workers on other nodes reach the same blobs
as the server: `adapt serve --blob-store s3://bucket/prefix --blob-endpoint URL`, credentials from the usual
AWS chain (environment, shared credentials file, instance role), the same client as S3 sources (boto3).

Layout under the prefix: `sha256/ab/<sha256>` (blobs) and `trees/<sha256>.json` (a tree's manifest:
relative path -> blob sha256). Atomicity: S3 makes an object visible only when its upload completes
(a multipart upload included), so a reader never sees part of one; a tree is published by uploading its
manifest after every blob it names (upload, then publish). Content addressing: a key is the SHA-256 of the
bytes, S3 checks that digest on every upload (ChecksumSHA256), and every download is hashed again before it
is used, so a corrupt or substituted object is refused (BlobCorrupt), never read.

The per-node cache (`NodeCache`): engines, decoders and training read local files, so `path(sha)` downloads a
blob on first use into `<cache>/sha256/ab/<sha>` (to a temporary file, verified, fsynced, renamed) and
`tree_dir(sha)` materializes a tree into `<cache>/trees/<sha>/` (hard links to cached blobs, published by one
rename), keyed by content hash, so an entry is never stale and concurrent processes of one node share it.
Nothing is evicted automatically: the cache holds what this node's jobs used (models, recordings of the
shards it ran) and may be deleted at any time; every entry comes back on demand.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from adapt_server.errors import AdaptError, FailedPrecondition
from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec
from adapt_server.store.blobs import CHUNK_BYTES, publish_tree, regular_files, tree_hash

NODE_CACHE_ENV = "ADAPT_NODE_CACHE_DIR"  # a node's cache folder when the spec names none


class BlobStoreUnavailable(AdaptError):
    """The S3 blob store could not be reached or refused a request (credentials, permissions, network)."""

    code = "UNAVAILABLE"


class BlobCorrupt(AdaptError):
    """A downloaded object's bytes do not hash to its name."""

    code = "DATA_LOSS"


def default_cache_dir() -> Path:
    return Path(os.environ.get(NODE_CACHE_ENV) or Path(tempfile.gettempdir()) / f"adapt-node-cache-{os.getuid()}")


def parse_s3_url(url: str) -> tuple[str, str]:
    """"s3://bucket/some/prefix" -> ("bucket", "some/prefix/"); the prefix may be empty."""
    if not url.startswith("s3://") or not url[5:].split("/", 1)[0]:
        raise FailedPrecondition(f"--blob-store {url!r} is not an s3://bucket[/prefix] URL")
    bucket, _, prefix = url[5:].partition("/")
    prefix = prefix.strip("/")
    return bucket, prefix + "/" if prefix else ""


class NodeCache:
    """Verified local copies of blobs and trees on this node (see the module docstring)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        for folder in (self.tmp, self.root / "sha256", self.root / "trees"):
            folder.mkdir(parents=True, exist_ok=True)

    def blob(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def tree(self, tree_sha: str) -> Path:
        return self.root / "trees" / tree_sha

    def fill(self, sha256: str, write) -> Path:
        """Writes a blob through `write(file)` into a temporary file, checks its hash, publishes it."""
        dest = self.blob(sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="blob-")
        try:
            digest = _HashingWriter(os.fdopen(fd, "wb"))
            with digest.out:
                write(digest)
                digest.out.flush()
                os.fsync(digest.out.fileno())
            if digest.hexdigest() != sha256:
                raise BlobCorrupt(f"blob {sha256} downloaded from the blob store hashes to {digest.hexdigest()}: "
                                  "the stored object is corrupt or was replaced; restore it from a backup")
            os.replace(tmp_name, dest)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return dest

    def materialize(self, tree_sha: str, manifest: dict[str, str]) -> Path:
        target = self.tree(tree_sha)
        if target.is_dir():
            return target
        return publish_tree(target, manifest, self.blob, self.tmp)

    def clean_tmp(self) -> int:
        removed = 0
        for entry in self.tmp.iterdir():
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
            removed += 1
        return removed


class _HashingWriter:
    """A binary file wrapper that hashes what is written through it."""

    def __init__(self, out):
        self.out = out
        self._digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._digest.update(data)
        return self.out.write(data)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def _hash_open_file(f) -> str:
    digest = hashlib.sha256()
    f.seek(0)
    for chunk in iter(lambda: f.read(CHUNK_BYTES), b""):
        digest.update(chunk)
    return digest.hexdigest()


class _KeepOpen:
    """A read-only view of a binary file that the transfer manager may close without closing the file."""

    def __init__(self, f):
        self._f = f

    def read(self, *args):
        return self._f.read(*args)

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self):
        return self._f.tell()

    def close(self):
        pass


class S3BlobStore(Blobs):
    """Blobs and trees in s3://bucket/prefix, read through a per-node cache (see the module docstring)."""

    def __init__(self, url: str, endpoint: str = "", cache_dir: Path | None = None):
        import boto3
        from botocore.config import Config
        self.url, self.endpoint = url, endpoint
        self.bucket, self.prefix = parse_s3_url(url)
        self.client = boto3.session.Session().client("s3", endpoint_url=endpoint or None,
                                   region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
                                   config=Config(retries={"max_attempts": 5, "mode": "standard"}))
        self.cache = NodeCache(cache_dir or default_cache_dir())

    @property
    def spec(self) -> BlobStoreSpec:
        return BlobStoreSpec(url=self.url, endpoint=self.endpoint, cache_dir=str(self.cache.root))

    def key(self, sha256: str) -> str:
        return f"{self.prefix}sha256/{sha256[:2]}/{sha256}"

    def tree_key(self, tree_sha: str) -> str:
        return f"{self.prefix}trees/{tree_sha}.json"

    def check(self) -> None:
        """Raises BlobStoreUnavailable saying what is wrong when the bucket cannot be read and written."""
        probe = self.put_bytes(b"adapt blob store probe\n")
        if self.read_bytes(probe) != b"adapt blob store probe\n":
            raise BlobStoreUnavailable(f"{self.url}: a probe object read back differently")

    # --- blobs --------------------------------------------------------------------------------------
    def path(self, sha256: str) -> Path:
        cached = self.cache.blob(sha256)
        if cached.is_file():
            return cached

        def download(out) -> None:
            response = self._call("get_object", Bucket=self.bucket, Key=self.key(sha256))
            for chunk in response["Body"].iter_chunks(CHUNK_BYTES):
                out.write(chunk)
        return self.cache.fill(sha256, download)

    def exists(self, sha256: str) -> bool:
        if self.cache.blob(sha256).is_file():
            return True
        return self._head(self.key(sha256))

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self._head(self.key(sha)):
            self._call("put_object", Bucket=self.bucket, Key=self.key(sha), Body=data,
                       ChecksumSHA256=base64.b64encode(bytes.fromhex(sha)).decode())
        return sha

    def put_file(self, source: Path) -> str:
        with open(source, "rb") as f:
            return self.put_open_file(f)

    def put_open_file(self, f) -> str:
        sha = _hash_open_file(f)
        if not self._head(self.key(sha)):
            f.seek(0)
            # managed transfer: a multipart upload for large files, visible only once it completes
            self._call("upload_fileobj", _KeepOpen(f), self.bucket, self.key(sha),
                       ExtraArgs={"ChecksumAlgorithm": "SHA256"})
        return sha

    def delete(self, sha256: str) -> bool:
        existed = self._head(self.key(sha256))
        self._call("delete_object", Bucket=self.bucket, Key=self.key(sha256))
        self.cache.blob(sha256).unlink(missing_ok=True)
        return existed

    # --- trees --------------------------------------------------------------------------------------
    def check_tree(self, directory: Path) -> None:
        for _ in regular_files(directory):
            pass

    def put_tree(self, directory: Path) -> tuple[str, Path]:
        self.check_tree(directory)  # refuse before storing anything
        manifest = {}
        for rel, f in regular_files(directory):
            sha = _hash_open_file(f)
            if not self.cache.blob(sha).is_file():  # this node has the bytes already: cache them

                def copy(out, f=f) -> None:
                    f.seek(0)
                    shutil.copyfileobj(f, out, CHUNK_BYTES)
                self.cache.fill(sha, copy)
            manifest[rel] = self.put_file(self.cache.blob(sha))
        if not manifest:
            raise ValueError(f"{directory} holds no files")
        tree_sha = tree_hash(manifest)
        # publish: the manifest goes up after every blob it names
        self._call("put_object", Bucket=self.bucket, Key=self.tree_key(tree_sha),
                   Body=json.dumps(manifest, sort_keys=True).encode(), ChecksumAlgorithm="SHA256")
        return tree_sha, self.cache.materialize(tree_sha, manifest)

    def tree_dir(self, tree_sha: str) -> Path:
        target = self.cache.tree(tree_sha)
        if target.is_dir():
            return target
        body = self._call("get_object", Bucket=self.bucket, Key=self.tree_key(tree_sha))["Body"].read()
        manifest = json.loads(body)
        if tree_hash(manifest) != tree_sha:
            raise BlobCorrupt(f"the manifest of tree {tree_sha} hashes to {tree_hash(manifest)}: it is corrupt or "
                              "was replaced; register the model again")
        for sha in manifest.values():
            self.path(sha)
        return self.cache.materialize(tree_sha, manifest)

    def delete_tree(self, tree_sha: str) -> None:
        self._call("delete_object", Bucket=self.bucket, Key=self.tree_key(tree_sha))
        shutil.rmtree(self.cache.tree(tree_sha), ignore_errors=True)

    def clean_tmp(self) -> int:
        return self.cache.clean_tmp()

    # --- S3 calls -----------------------------------------------------------------------------------
    def _head(self, key: str) -> bool:
        try:
            self._call("head_object", Bucket=self.bucket, Key=key)
            return True
        except FileNotFoundError:
            return False

    def _call(self, operation: str, *args, **kwargs):
        """One client call; a missing object -> FileNotFoundError, anything else -> BlobStoreUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError
        try:
            return getattr(self.client, operation)(*args, **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(f"{kwargs.get('Key', args[2] if len(args) > 2 else '')} is not in "
                                        f"{self.url}") from None
            raise BlobStoreUnavailable(
                f"blob store {self.url}{' at ' + self.endpoint if self.endpoint else ''} refused {operation} "
                f"({code}: {error.get('Message', '')}); check the bucket, its permissions and the credentials of "
                "this process (the usual AWS chain)") from None
        except BotoCoreError as exc:
            raise BlobStoreUnavailable(f"blob store {self.url}{' at ' + self.endpoint if self.endpoint else ''} "
                                       f"cannot be reached: {exc}") from None
