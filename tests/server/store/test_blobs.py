import hashlib

from adapt_server.store.blobs import BlobStore


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
