"""A real S3-compatible server on loopback for tests: moto's standalone server (`python -m moto.server`) as a
subprocess, with IAM users whose keys the server under test gets through the usual AWS credential chain.

Requests are signed and checked once `enable_auth()` is called (moto then verifies access keys, signatures
and IAM policies, so wrong credentials really are refused). Nothing is patched in any client.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from testkit.servers import free_port

START_TIMEOUT_S = 60
SETUP_KEYS = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}  # before auth is enabled
READ_POLICY = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"], "Resource": "*"}]}


@dataclass
class AccessKey:
    key_id: str
    secret: str


@dataclass
class MotoS3Server:
    log_path: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoS3Server":
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto server exited ({self.proc.returncode}): {self.log_path.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.endpoint_url + "/moto-api/", timeout=1)
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def client(self, service: str = "s3", key: AccessKey | None = None):
        import boto3
        creds = ({"aws_access_key_id": key.key_id, "aws_secret_access_key": key.secret} if key else SETUP_KEYS)
        return boto3.client(service, endpoint_url=self.endpoint_url, region_name="us-east-1", **creds)

    def create_user(self, name: str, policy: dict | None = READ_POLICY) -> AccessKey:
        """An IAM user with an access key (and an inline policy, when given). Call before enable_auth()."""
        iam = self.client("iam")
        iam.create_user(UserName=name)
        if policy is not None:
            iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return AccessKey(key["AccessKeyId"], key["SecretAccessKey"])

    def upload_folder(self, bucket: str, prefix: str, folder: Path, create_bucket: bool = True) -> list[str]:
        s3 = self.client()
        if create_bucket:
            s3.create_bucket(Bucket=bucket)
        keys = []
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = prefix + path.relative_to(folder).as_posix()
            s3.upload_file(str(path), bucket, key)
            keys.append(key)
        return keys

    def enable_auth(self) -> None:
        """From now on every request must carry a valid key and signature, and IAM policies apply."""
        request = urllib.request.Request(self.endpoint_url + "/moto-api/reset-auth", data=b"0", method="POST",
                                         headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(request, timeout=10).read()


def credentials_file(path: Path, profiles: dict[str, AccessKey]) -> Path:
    """An AWS shared credentials file with the given profiles."""
    path.write_text("".join(f"[{name}]\naws_access_key_id = {k.key_id}\naws_secret_access_key = {k.secret}\n\n"
                            for name, k in profiles.items()))
    return path


def serve_bucket(work_dir: Path, bucket: str, prefix: str, folder: Path) -> tuple[MotoS3Server, dict[str, str]]:
    """A started moto server holding `folder` under s3://bucket/prefix, plus an empty bucket "empty"; IAM
    users "reader" (may list and read) and "stranger" (no policy); auth enabled. Returns the server and the
    environment a server under test needs: the reader's keys (the default chain) and a credentials file with
    profiles "reader", "stranger" and "wrong" (the reader's key with a wrong secret)."""
    server = MotoS3Server(work_dir / "moto.log").start()
    server.upload_folder(bucket, prefix, folder)
    server.client().create_bucket(Bucket="empty")
    reader = server.create_user("reader")
    stranger = server.create_user("stranger", policy=None)
    creds = credentials_file(work_dir / "credentials", {"reader": reader, "stranger": stranger,
                                                        "wrong": AccessKey(reader.key_id, "not-the-secret")})
    server.enable_auth()
    return server, {"AWS_ACCESS_KEY_ID": reader.key_id, "AWS_SECRET_ACCESS_KEY": reader.secret,
                    "AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(creds) + ".absent",
                    "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1"}
