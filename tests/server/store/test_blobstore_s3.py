"""The S3 blob store against a real S3 server on loopback (moto's server with IAM auth: requests are signed and
checked), with two "nodes": two stores on the same bucket with caches of their own."""
from __future__ import annotations

import hashlib
import os

import pytest

from adapt_server.store.blob_stores import open_blob_store
from adapt_server.store.blobs import UnsafeTreeEntry
from adapt_server.store.blobstore_s3 import BlobCorrupt, BlobStoreUnavailable, S3BlobStore
from testkit.s3server import MotoS3Server

WRITE_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": "*"}]}


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """(server, environment with a writer's keys): bucket "blobs", auth enabled."""
    work = tmp_path_factory.mktemp("s3")
    server = MotoS3Server(work / "moto.log").start()
    server.client().create_bucket(Bucket="blobs")
    writer = server.create_user("writer", WRITE_POLICY)
    server.enable_auth()
    env = {"AWS_ACCESS_KEY_ID": writer.key_id, "AWS_SECRET_ACCESS_KEY": writer.secret,
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_SHARED_CREDENTIALS_FILE": str(work / "absent"), "AWS_CONFIG_FILE": str(work / "absent")}
    yield server, env
    server.stop()


@pytest.fixture
def credentials(s3, monkeypatch):
    server, env = s3
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return server


def node(server, tmp_path, name: str, prefix: str = "team-a") -> S3BlobStore:
    return S3BlobStore(f"s3://blobs/{prefix}", server.endpoint_url, tmp_path / name)


def test_blobs_round_trip_between_nodes_content_addressed(credentials, tmp_path):
    one, two = node(credentials, tmp_path, "one"), node(credentials, tmp_path, "two")
    sha = one.put_bytes(b"hello")
    assert sha == hashlib.sha256(b"hello").hexdigest()
    assert one.put_bytes(b"hello") == sha  # idempotent
    assert two.exists(sha) and not two.cache.blob(sha).exists()
    local = two.path(sha)  # downloaded into node two's cache, verified
    assert local.read_bytes() == b"hello" and local.is_relative_to(tmp_path / "two")
    assert not list(two.cache.tmp.iterdir())
    assert one.delete(sha) and not two.exists(sha.replace(sha[0], "0", 1)) and not one.exists(sha)
    with pytest.raises(FileNotFoundError):
        node(credentials, tmp_path, "three").path(sha)


def test_large_file_goes_up_as_one_object(credentials, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(9 << 20))  # over boto3's 8 MiB multipart threshold
    sha = node(credentials, tmp_path, "one").put_file(source)
    assert node(credentials, tmp_path, "two").path(sha).read_bytes() == source.read_bytes()


def test_tree_materializes_on_another_node(credentials, tmp_path):
    model = tmp_path / "model"
    (model / "sub").mkdir(parents=True)
    (model / "config.json").write_text("{}")
    (model / "sub" / "weights.bin").write_bytes(b"w" * 1000)
    one = node(credentials, tmp_path, "one")
    tree_sha, here = one.put_tree(model)
    assert (here / "sub" / "weights.bin").read_bytes() == b"w" * 1000
    there = node(credentials, tmp_path, "two").tree_dir(tree_sha)
    assert there != here and (there / "config.json").read_text() == "{}"
    assert (there / "sub" / "weights.bin").read_bytes() == b"w" * 1000
    # the same content has the same address as in the local store
    local_sha, _ = open_blob_store(_local_spec(tmp_path)).put_tree(model)
    assert local_sha == tree_sha


def _local_spec(tmp_path):
    from adapt_server.store.blob_protocol import BlobStoreSpec
    return BlobStoreSpec(local_root=str(tmp_path / "local-blobs"))


def test_tree_with_a_link_is_refused_before_anything_is_stored(credentials, tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "tokenizer.json").symlink_to("/etc/hostname")
    store = node(credentials, tmp_path, "one", prefix="links")
    with pytest.raises(UnsafeTreeEntry):
        store.put_tree(model)
    listed = store.client.list_objects_v2(Bucket="blobs", Prefix="links/")
    assert listed.get("KeyCount", 0) == 0


def test_a_replaced_object_is_refused_not_read(credentials, tmp_path, s3):
    one = node(credentials, tmp_path, "one", prefix="corrupt")
    sha = one.put_bytes(b"the real bytes")
    one.client.put_object(Bucket="blobs", Key=one.key(sha), Body=b"other bytes")  # behind the store's back
    two = node(credentials, tmp_path, "two", prefix="corrupt")
    with pytest.raises(BlobCorrupt, match="corrupt or was replaced"):
        two.path(sha)
    assert not two.cache.blob(sha).exists() and not list(two.cache.tmp.iterdir())


def test_wrong_credentials_say_what_to_check(credentials, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    store = node(credentials, tmp_path, "one")
    with pytest.raises(BlobStoreUnavailable, match="credentials") as raised:
        store.put_bytes(b"x")
    assert raised.value.code == "UNAVAILABLE"
