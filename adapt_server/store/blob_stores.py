"""Opens the blob store a spec names: the local one in the data directory, or S3 (store/blob_protocol.py)."""
from __future__ import annotations

from pathlib import Path

from adapt_server.store.blob_protocol import Blobs, BlobStoreSpec
from adapt_server.store.blobs import BlobStore


def open_blob_store(spec: BlobStoreSpec) -> Blobs:
    if spec.is_local:
        return BlobStore(Path(spec.local_root))
    from adapt_server.store.blobstore_s3 import S3BlobStore
    return S3BlobStore(spec.url, spec.endpoint, Path(spec.cache_dir) if spec.cache_dir else None)
