import hashlib
import json
import os
import socket

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.store.blobs import BlobStore, UnsafeTreeEntry


def test_put_bytes_is_content_addressed_and_idempotent(tmp_path):
    store = BlobStore(tmp_path)
    sha = store.put_bytes(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert store.put_bytes(b"hello") == sha
    assert store.read_bytes(sha) == b"hello"
    assert not list(store.tmp.iterdir()), "temporary files must not be left behind"


def test_put_file_streams_and_delete(tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(bytes(range(256)) * 20000)
    store = BlobStore(tmp_path / "blobs")
    sha = store.put_file(src)
    assert store.path(sha).read_bytes() == src.read_bytes()
    assert store.delete(sha) and not store.exists(sha)


def test_put_tree_hash_is_stable_and_materialized(tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "a.txt").write_text("a")
    (model / "sub" / "b.txt").write_text("b")
    store = BlobStore(tmp_path / "blobs")
    sha1, path1 = store.put_tree(model)
    sha2, path2 = store.put_tree(model)
    assert sha1 == sha2 and path1 == path2
    assert (path1 / "sub" / "b.txt").read_text() == "b"
    (model / "a.txt").write_text("changed")
    assert store.put_tree(model)[0] != sha1


def test_clean_tmp_removes_interrupted_writes(tmp_path):
    store = BlobStore(tmp_path)
    (store.tmp / "blob-partial").write_bytes(b"half")
    assert store.clean_tmp() == 1


# ------------------------------------------------------------------------------------------------ hostile trees


def model_dir(tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "config.json").write_text("{}")
    (model / "sub" / "weights.bin").write_bytes(b"w" * 100)
    return model


def stored_files(store: BlobStore) -> list:
    return [p for p in (store.root / "sha256").rglob("*") if p.is_file()]


def test_symlink_out_of_a_model_directory_is_refused_not_copied(tmp_path):
    """Issue 16, defect 1: put_tree followed `tokenizer.json -> /etc/shadow`-like links and copied the
    target into the store (where a registered model's files can be read back)."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the server's secret")
    model = model_dir(tmp_path)
    (model / "tokenizer.json").symlink_to(secret)
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(UnsafeTreeEntry, match=r"holds 'tokenizer.json', a symbolic link.*cp -rL") as caught:
        store.put_tree(model)
    assert isinstance(caught.value, InvalidArgument) and caught.value.code == "INVALID_ARGUMENT"
    assert caught.value.path == "tokenizer.json"
    assert "secret" not in caught.value.message  # the link's target is not echoed
    assert stored_files(store) == [], "nothing is stored from a refused directory"
    with pytest.raises(UnsafeTreeEntry, match="'tokenizer.json'"):
        store.check_tree(model)  # the same check, for callers that read the directory before storing it
    assert not any(b"the server's secret" in p.read_bytes() for p in (tmp_path / "blobs").rglob("*") if p.is_file())


@pytest.mark.parametrize("make", ["link_inside", "dir_link", "nested_link", "dangling"])
def test_every_symbolic_link_is_refused(tmp_path, make):
    """Links that stay inside the directory are refused too: checking a target and then reading it leaves
    a window to swap the link, and the store keeps copies anyway (see the module docstring)."""
    model = model_dir(tmp_path)
    rel = {"link_inside": "alias.json", "dir_link": "shards", "nested_link": "sub/deep.bin",
           "dangling": "gone.json"}[make]
    target = {"link_inside": model / "config.json", "dir_link": model / "sub", "nested_link": model / "config.json",
              "dangling": tmp_path / "nowhere"}[make]
    (model / rel).symlink_to(target)
    with pytest.raises(UnsafeTreeEntry, match=f"holds '{rel}', a symbolic link"):
        BlobStore(tmp_path / "blobs").put_tree(model)


def test_fifo_and_socket_are_refused_without_blocking(tmp_path):
    model = model_dir(tmp_path)
    os.mkfifo(model / "pipe.bin")  # reading it would wait for a writer forever
    with pytest.raises(UnsafeTreeEntry, match=r"'pipe.bin', a named pipe"):
        BlobStore(tmp_path / "blobs").put_tree(model)
    (model / "pipe.bin").unlink()
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(model / "sub" / "s.sock"))
        with pytest.raises(UnsafeTreeEntry, match=r"'sub/s.sock', a socket"):
            BlobStore(tmp_path / "blobs").put_tree(model)


def test_tree_hash_of_plain_directories_is_unchanged(tmp_path):
    """The walk by descriptors gives the same manifest (and so the same tree address) as before."""
    model = model_dir(tmp_path)
    (model / ".hidden").write_text("h")
    sha, path = BlobStore(tmp_path / "blobs").put_tree(model)
    manifest = {".hidden": hashlib.sha256(b"h").hexdigest(), "config.json": hashlib.sha256(b"{}").hexdigest(),
                "sub/weights.bin": hashlib.sha256(b"w" * 100).hexdigest()}
    assert sha == hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()
    assert (path / "sub" / "weights.bin").read_bytes() == b"w" * 100
