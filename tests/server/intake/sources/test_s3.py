"""S3 sources against a real S3-compatible server on loopback (moto's standalone server, auth enabled):
spec validation, listing, streaming download of a large object, each error mapped to its status, and the
operator's allow-lists of endpoints and profiles (issue 16, defect 5: no SSRF, no reflected remote bodies)."""
from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from adapt_server.intake.sources import SourceAccess, parse_source
from adapt_server.intake.sources.s3 import DOWNLOAD_CHUNK_BYTES, S3Reader, S3Source, s3_has_audio
from testkit.audio import tone, write_audio
from testkit.s3server import MotoS3Server, credentials_file


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bucket")
    (folder / "calls" / "sub").mkdir(parents=True)
    write_audio(folder / "calls" / "a.wav", tone(1.0, 16000, 300), 16000, "wav")
    (folder / "calls" / "a.txt").write_text("hello there\n")
    write_audio(folder / "calls" / "sub" / "b.flac", tone(1.5, 16000, 500), 16000, "flac")
    (folder / "calls" / "notes.pdf").write_bytes(b"%PDF-1.4 not audio")
    (folder / "calls" / "broken.wav").write_bytes(b"RIFF garbage" * 20)
    server = MotoS3Server(tmp_path_factory.mktemp("moto") / "moto.log").start()
    server.upload_folder("calls-bucket", "2026-q1/", folder)
    big = np.random.default_rng(0).standard_normal(int(16000 * 60 * 12)).astype(np.float32) * 0.05  # 12 min
    big_path = tmp_path_factory.mktemp("big") / "long.wav"
    write_audio(big_path, big, 16000, "wav")
    server.client().upload_file(str(big_path), "calls-bucket", "long/long.wav")
    server.client().create_bucket(Bucket="empty-bucket")
    reader = server.create_user("reader")
    stranger = server.create_user("stranger", policy=None)
    server.writer = server.create_user("writer", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"}]})
    creds = credentials_file(tmp_path_factory.mktemp("aws") / "credentials", {"reader": reader, "stranger": stranger})
    server.enable_auth()
    old = {k: os.environ.get(k) for k in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                          "AWS_CONFIG_FILE")}
    os.environ.update({"AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(creds) + ".none",
                       "AWS_ACCESS_KEY_ID": reader.key_id, "AWS_SECRET_ACCESS_KEY": reader.secret})
    yield server
    for key, value in old.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    server.stop()


PROFILES = ("reader", "stranger", "ghost")


def _access(s3, *extra_endpoints: str) -> SourceAccess:
    return SourceAccess(s3_endpoints=(s3.endpoint_url, *extra_endpoints), s3_profiles=PROFILES)


def _source(s3, uri="s3://calls-bucket/2026-q1/calls/", **options) -> S3Source:
    return parse_source(0, {"type": "s3", "uri": uri, "options": {"endpoint_url": s3.endpoint_url, **options}},
                        _access(s3))


def test_spec_round_trips_and_lists_audio_and_reports_other_objects(s3):
    source = _source(s3)
    assert S3Source.from_spec(source.to_spec()) == source
    assert (source.bucket, source.prefix) == ("calls-bucket", "2026-q1/calls/")
    files = {f.uri.rsplit("/", 1)[1]: f.problem for f in S3Reader(source).files()}
    assert set(files) == {"a.wav", "b.flac", "broken.wav", "notes.pdf"}  # sidecars are not files of their own
    assert files["a.wav"] is None and files["b.flac"] is None
    assert "not an audio file" in files["notes.pdf"]
    flat = {f.uri.rsplit("/", 1)[1] for f in S3Reader(_source(s3, recursive=False)).files()}
    assert "b.flac" not in flat and "a.wav" in flat


def test_fetch_downloads_audio_with_its_sidecar_and_cleans_up(s3, tmp_path):
    reader = S3Reader(_source(s3))
    [file] = [f for f in reader.files() if f.uri.endswith("a.wav")]
    with reader.fetch(file, tmp_path) as local:
        assert local.audio.read_bytes()[:4] == b"RIFF"
        assert local.transcript.read_text() == "hello there\n" and local.rttm is None
    assert not any(tmp_path.iterdir())


def test_an_object_deleted_after_the_listing_is_object_missing(s3, tmp_path):
    from adapt_server.intake.sources.s3 import ObjectMissing
    writer = s3.client(key=s3.writer)
    writer.put_object(Bucket="calls-bucket", Key="gone/x.wav", Body=b"RIFF")
    reader = S3Reader(_source(s3, uri="s3://calls-bucket/gone/"))
    [file] = reader.files()
    writer.delete_object(Bucket="calls-bucket", Key="gone/x.wav")
    with pytest.raises(ObjectMissing, match="does not exist"):
        with reader.fetch(file, tmp_path):
            pass


def test_a_large_object_is_streamed_in_parts(s3, tmp_path):
    reader = S3Reader(_source(s3, uri="s3://calls-bucket/long/"))
    [file] = reader.files()
    [obj] = reader.objects
    assert obj.size > 2 * DOWNLOAD_CHUNK_BYTES
    with reader.fetch(file, tmp_path) as local:
        assert local.audio.stat().st_size == obj.size


def test_create_time_checks(s3):
    assert s3_has_audio(_source(s3))
    with pytest.raises(NotFound, match="bucket 'no-such-bucket' does not exist"):
        s3_has_audio(_source(s3, uri="s3://no-such-bucket/x/"))
    assert not s3_has_audio(_source(s3, uri="s3://empty-bucket/"))


def test_wrong_credentials_are_unauthenticated(s3, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(Unauthenticated, match="refused the server's credentials \\(SignatureDoesNotMatch\\)"):
        s3_has_audio(_source(s3))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWN000000000")
    with pytest.raises(Unauthenticated, match="InvalidAccessKeyId"):
        S3Reader(_source(s3))


def test_a_user_without_permission_is_denied_and_a_named_profile_is_used(s3):
    with pytest.raises(PermissionDenied, match="access denied"):
        s3_has_audio(_source(s3, profile="stranger"))
    assert s3_has_audio(_source(s3, profile="reader"))
    with pytest.raises(InvalidArgument, match="'ghost' is not a profile"):
        s3_has_audio(_source(s3, profile="ghost"))


@pytest.mark.parametrize("raw, fragment", [
    ({"type": "s3", "uri": "calls-bucket/x"}, "takes s3://bucket/prefix/"),
    ({"type": "s3", "uri": ""}, "uri is required"),
    ({"type": "s3", "uri": "s3://b/", "options": {"endpoint_url": "ftp://x"}}, "must be an http(s) URL"),
    ({"type": "s3", "uri": "s3://b/", "options": {"colour": "red"}}, "unknown keys ['colour']"),
    ({"type": "s3", "uri": "s3://b/", "options": {"anonymous": "yes"}}, "anonymous must be true or false"),
    ({"type": "s3", "uri": "s3://b/", "options": {"channels": "both"}}, "channels must be one of"),
    ({"type": "local", "uri": "/x", "options": {"endpoint_url": "http://h"}}, "apply to s3 sources only"),
])
def test_bad_s3_specs_are_invalid_argument(raw, fragment):
    with pytest.raises(InvalidArgument) as error:
        parse_source(0, raw, SourceAccess(s3_endpoints=("http://h",)))
    assert fragment in error.value.message


class _Listener:
    """A TCP listener on loopback that counts the connections it gets (and closes them)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def test_an_endpoint_the_operator_did_not_allow_is_refused_before_any_connection(s3):
    listener = _Listener()
    try:
        raw = {"type": "s3", "uri": "s3://calls-bucket/x/", "options": {"endpoint_url": listener.url}}
        with pytest.raises(PermissionDenied, match="not an S3 endpoint this server may use") as refused:
            parse_source(0, raw, _access(s3))
        with pytest.raises(PermissionDenied):  # no allow-list at all: only AWS itself, and no endpoint_url
            parse_source(0, raw, SourceAccess())
        closed_port = {"type": "s3", "uri": "s3://calls-bucket/x/", "options": {"endpoint_url": "http://127.0.0.1:9"}}
        with pytest.raises(PermissionDenied) as closed:  # same answer for a closed port: no port-scan oracle
            parse_source(0, closed_port, _access(s3))
        assert closed.value.message.replace("127.0.0.1:9", "X") == refused.value.message.replace(
            listener.url[7:], "X")
        stored = S3Source.from_spec({**_source(s3).to_spec(), "options": {"endpoint_url": listener.url}})
        with pytest.raises(PermissionDenied):  # a stored spec is checked again when its ingest runs
            stored.reader(_access(s3))
        assert listener.connections == 0
    finally:
        listener.close()


def test_the_first_allowed_endpoint_is_the_default(s3):
    source = parse_source(0, {"type": "s3", "uri": "s3://calls-bucket/2026-q1/calls/"}, _access(s3, "http://other"))
    assert source.options.endpoint_url == s3.endpoint_url
    assert s3_has_audio(source)


def test_a_profile_the_operator_did_not_allow_is_refused(s3):
    with pytest.raises(PermissionDenied, match="profile 'default' is not an AWS profile this server may use"):
        _source(s3, profile="default")


class _HostileS3(BaseHTTPRequestHandler):
    """Answers every request with an S3-style error whose message must never reach a client."""

    def _answer(self):
        body = (b"<?xml version='1.0'?><Error><Code>SlowDown</Code><Message>secret-remote-body</Message>"
                b"<RequestId>1</RequestId></Error>")
        self.send_response(418)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_PUT = do_POST = _answer

    def log_message(self, *args):
        pass


def test_error_messages_never_reflect_the_remote_body(s3):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileS3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        source = parse_source(0, {"type": "s3", "uri": "s3://calls-bucket/x/", "options": {"endpoint_url": url}},
                              _access(s3, url))
        with pytest.raises(FailedPrecondition) as error:
            s3_has_audio(source)
        assert "SlowDown" in error.value.message and "secret-remote-body" not in error.value.message
    finally:
        server.shutdown()
        server.server_close()
