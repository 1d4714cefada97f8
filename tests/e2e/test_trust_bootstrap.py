"""How a server's keys begin, over gRPC: the first admin key printed once (and only its hash kept), the
admin key file, the legacy --api-key from a file or the environment (not the process list), and the
transport rule: no plaintext API keys on a non-loopback address without --insecure."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import adapt
from testkit.servers import ServerProcess, free_port

pytestmark = pytest.mark.slow  # real `adapt serve` processes


def _printed_keys(server: ServerProcess) -> list[str]:
    return re.findall(r"^adapt_k[0-9a-f]{12}_[0-9a-f]{64}$", server.log(), re.MULTILINE)


def test_the_first_admin_key_is_printed_once_and_only_its_hash_is_kept(tmp_path):
    server = ServerProcess(tmp_path / "data", [tmp_path], extra_args=["--require-auth"]).start()
    try:
        [key] = _printed_keys(server)
        with pytest.raises(adapt.UnauthenticatedError):
            adapt.Client(server.target).keys.whoami()
        me = adapt.Client(server.target, api_key=key).keys.whoami()
        assert me.project == "default" and set(me.scopes) == {"admin", "server:admin"}
        server.stop()
        server.start()  # the second start has a key: nothing printed again
        assert _printed_keys(server) == [key]
        assert adapt.Client(server.target, api_key=key).keys.whoami().key_id == me.key_id
        data = (server.data_dir / "adapt.sqlite3").read_bytes() + (server.data_dir / "adapt.sqlite3-wal").read_bytes()
        assert key.encode() not in data and key.split("_")[-1].encode() not in data
    finally:
        if server.alive():
            server.stop()


def test_keys_from_files_and_the_environment_stay_out_of_the_process_list(tmp_path):
    key_file = tmp_path / "api.key"
    key_file.write_text("legacy-key-kept-out-of-argv-0123456789\n")
    admin_file = tmp_path / "admin.key"
    server = ServerProcess(tmp_path / "data", [tmp_path], extra_args=["--api-key-file", str(key_file),
                                                                      "--admin-key-file", str(admin_file)]).start()
    try:
        assert oct(admin_file.stat().st_mode & 0o777) == "0o600"
        admin_key = admin_file.read_text().strip()
        cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes()
        assert b"legacy-key-kept" not in cmdline and admin_key.encode() not in cmdline
        assert admin_key not in server.log() and "wrote a new admin key to" in server.log()
        legacy = adapt.Client(server.target, api_key="legacy-key-kept-out-of-argv-0123456789").keys.whoami()
        assert (legacy.identity, legacy.project) == ("key:api-key", "default")
        assert adapt.Client(server.target, api_key=admin_key).keys.whoami().identity == "key:admin-key-file"
    finally:
        server.stop()
    env_server = ServerProcess(tmp_path / "data2", [tmp_path],
                               env={"ADAPT_SERVER_API_KEY": "legacy-key-from-the-environment-0123"}).start()
    try:
        assert b"legacy-key-from" not in Path(f"/proc/{env_server.proc.pid}/cmdline").read_bytes()
        assert adapt.Client(env_server.target, api_key="legacy-key-from-the-environment-0123").keys.whoami()
        with pytest.raises(adapt.UnauthenticatedError):
            adapt.Client(env_server.target).keys.whoami()
    finally:
        env_server.stop()


@pytest.mark.parametrize("extra, refusal", [
    ([], "refusing to serve API keys over plaintext on 0.0.0.0"),
    (["--client-ca", "{ca}"], "--client-ca (mutual TLS) needs TLS"),
])
def test_a_non_loopback_address_without_tls_is_refused(tmp_path, extra, refusal):
    ca = tmp_path / "ca.pem"
    ca.write_text("not used")
    args = [sys.executable, "-m", "adapt_server.cli", "serve", "--data-dir", str(tmp_path / "data"),
            "--listen", f"0.0.0.0:{free_port()}", "--workers", "1", *[a.format(ca=ca) for a in extra]]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120, env={**os.environ})
    assert result.returncode != 0 and refusal in result.stderr, result.stderr[-2000:]
