"""No egress, proven: the quickstart flow (the CLI, `adapt serve` and its job workers) runs inside a network
namespace that has only loopback, and two independent witnesses record every outbound attempt:

- the audit hook of adapt_server/egress.py in the server and every worker (ADAPT_EGRESS_LOG): attempts made
  through Python's socket module, with the calling code;
- strace -f over the whole process tree: connect/sendto/sendmsg/sendmmsg system calls, which also shows
  what C/C++ code does on its own (onnxruntime's telemetry client, issue 16 defect 6, is invisible to the
  hook). A DNS query counts as egress even to a resolver on loopback (port 53, nscd, systemd-resolved).

Both must show zero attempts to anything but loopback and Unix sockets. The first test checks that both
witnesses do see a deliberate attempt in the same namespace, so the proof can fail.

Needs `unshare` (util-linux) and either root or unprivileged user namespaces; strace for the system-call
witness (without it that half is skipped with a warning). Issue 17: "No egress, proven".
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

import adapt_server

UNROUTABLE = "203.0.113.7"  # TEST-NET-3 (RFC 5737)
# the module whose `quickstart` command runs the flow: the server package's own CLI where it has one (issue
# 12 moves `serve` and `quickstart` there), else the SDK's `adapt` group
QUICKSTART_CLI = "adapt_server.cli" if (Path(adapt_server.__file__).parent / "cli.py").is_file() else "adapt.cli"

# Runs inside the new namespace: checks that loopback is its only interface, brings it up (a new namespace
# starts with lo down) with the SIOCSIFFLAGS ioctl, then execs the command.
LOOPBACK_ONLY = """
import fcntl, os, socket, struct, sys
names = [name for _, name in socket.if_nameindex()]
if names != ["lo"]:
    sys.exit(f"the network namespace has interfaces {names}; expected only lo")
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    flags = struct.unpack("16sH14x", fcntl.ioctl(s, SIOCGIFFLAGS, struct.pack("16sH14x", b"lo", 0)))[1]
    fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))
os.execvp(sys.argv[1], sys.argv[1:])
"""
TRACED_CALLS = "trace=connect,sendto,sendmsg,sendmmsg"
_INET = re.compile(r'sa_family=AF_INET6?, sin6?_port=htons\((\d+)\).*?(?:inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, '
                   r'"([^"]+)")')
_UNIX = re.compile(r'sa_family=AF_UNIX, sun_path=@?"([^"]*)"')
_LOOPBACK = re.compile(r"^(127\.|::1$|::ffff:127\.)")


def unshare_prefix() -> list[str]:
    return ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]


@pytest.fixture(scope="module")
def namespace():
    """Skips (saying exactly what is missing) unless a loopback-only network namespace can be made here."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare (util-linux) to make a network namespace")
    probe = subprocess.run(unshare_prefix() + [sys.executable, "-c", LOOPBACK_ONLY, "true"], capture_output=True,
                           text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a loopback-only network namespace here: {' '.join(unshare_prefix())} -> "
                    f"{probe.stderr.strip()[-300:]}")
    strace = shutil.which("strace")
    if strace is None:
        warnings.warn("strace is not installed: the system-call witness is skipped (apt-get install strace)")
    return strace


@dataclass(frozen=True)
class Isolated:
    result: subprocess.CompletedProcess
    hook_records: list[dict]  # the ADAPT_EGRESS_LOG lines of every process
    syscall_attempts: list[str] | None  # strace lines that leave loopback; None without strace

    @property
    def hook_attempts(self) -> list[dict]:
        return [r for r in self.hook_records if r["event"] != "configured"]


def run_isolated(args: list[str], workdir: Path, strace: str | None, timeout: float, env: dict | None = None) -> Isolated:
    """`args` in a new network namespace with only loopback, every process recorded by the hook and strace."""
    hook_log, trace = workdir / "egress.jsonl", workdir / "syscalls.strace"
    traced = [strace, "-f", "-qq", "--seccomp-bpf", "-e", TRACED_CALLS, "-o", str(trace)] if strace else []
    command = unshare_prefix() + [sys.executable, "-c", LOOPBACK_ONLY] + traced + args
    full_env = {**os.environ, "ADAPT_EGRESS": "record", "ADAPT_EGRESS_LOG": str(hook_log), "PYTHONUNBUFFERED": "1",
                **(env or {})}
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=workdir)
    records = [json.loads(line) for line in hook_log.read_text().splitlines()] if hook_log.exists() else []
    attempts = outbound_syscalls(trace.read_text()) if strace else None
    return Isolated(result, records, attempts)


def outbound_syscalls(trace: str) -> list[str]:
    """strace lines that reach past loopback: an AF_INET/AF_INET6 address other than 127/8, ::1 and
    ::ffff:127/104, any DNS query (port 53, even to a resolver on loopback), or a connection that was not
    refused to the socket of nscd or systemd-resolved (a daemon outside the namespace that would resolve
    for us). glibc tries nscd first for every name and user lookup (`localhost`, getpwuid): with no daemon
    listening that attempt fails with ENOENT and sends nothing."""
    found = []
    for line in trace.splitlines():
        inet = _INET.search(line)
        if inet:
            port, address = int(inet.group(1)), inet.group(2) or inet.group(3)
            if port == 53 or not _LOOPBACK.match(address):
                found.append(line.strip())
            continue
        unix = _UNIX.search(line)
        if unix and ("nscd" in unix.group(1) or "systemd/resolve" in unix.group(1)) and "= -1" not in line:
            found.append(line.strip())
    return found


DELIBERATE = f"""
import socket
from adapt_server import egress
egress.configure()
for action in (lambda: socket.create_connection(("{UNROUTABLE}", 443), timeout=1),
               lambda: socket.getaddrinfo("adapt-egress-probe.example", 443)):
    try:
        action()
    except OSError as exc:
        print("refused by the namespace:", type(exc).__name__)
"""


def test_both_witnesses_see_a_deliberate_attempt_in_the_namespace(namespace, tmp_path):
    isolated = run_isolated([sys.executable, "-c", DELIBERATE], tmp_path, namespace, timeout=120)
    assert isolated.result.returncode == 0, isolated.result.stderr
    assert isolated.result.stdout.count("refused by the namespace") == 2, isolated.result.stdout
    assert [r["destination"] for r in isolated.hook_attempts] == [f"{UNROUTABLE}:443", "dns:adapt-egress-probe.example"]
    if isolated.syscall_attempts is not None:
        assert any(f'"{UNROUTABLE}"' in line for line in isolated.syscall_attempts), isolated.syscall_attempts
        assert any("htons(53)" in line for line in isolated.syscall_attempts), "the DNS query is seen"


def test_outbound_syscalls_reads_strace_lines():
    trace = textwrap.dedent("""\
        101 connect(7, {sa_family=AF_INET, sin_port=htons(50051), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
        101 connect(8, {sa_family=AF_INET6, sin6_port=htons(50051), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
        102 connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = -1 ENETUNREACH (Network is unreachable)
        102 connect(9, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0
        103 sendto(5, "x", 1, 0, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8::1", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH
        104 connect(4, {sa_family=AF_UNIX, sun_path="/tmp/pymp-1/listener"}, 110) = 0
        104 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)
        104 connect(4, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = 0
        105 sendmmsg(9, [{msg_hdr={msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="..."}]}}], 2, MSG_NOSIGNAL) = 2
        """)
    found = outbound_syscalls(trace)
    assert [line.split()[0] for line in found] == ["102", "102", "103", "104"], found


@pytest.mark.slow
def test_quickstart_flow_makes_no_outbound_attempt(namespace, tmp_path):
    """`adapt quickstart --calls 2 --stop-after dataset`: sample calls, the server with one worker process
    per core share, a dataset through diarize -> align (Silero VAD on onnxruntime) -> redact (presidio,
    spaCy, tldextract) -> split, its stats and a transcription through the Speech API."""
    isolated = run_isolated([sys.executable, "-m", QUICKSTART_CLI, "quickstart", "--data-dir", str(tmp_path / "qs"),
                             "--calls", "2", "--stop-after", "dataset"], tmp_path, namespace, timeout=1500)
    output = isolated.result.stdout + isolated.result.stderr
    assert isolated.result.returncode == 0, output[-4000:]
    assert "recordings=4" in isolated.result.stdout, output[-4000:]
    configured = [r for r in isolated.hook_records if r["event"] == "configured"]
    assert any(r["process"] == "MainProcess" for r in configured), "the server installed its hook"
    assert any(r["process"].startswith("worker") for r in configured), f"no worker installed its hook: {configured}"
    assert isolated.hook_attempts == [], json.dumps(isolated.hook_attempts, indent=1)[:4000]
    if isolated.syscall_attempts is not None:
        assert isolated.syscall_attempts == [], "\n".join(isolated.syscall_attempts[:20])
    server_log = (tmp_path / "qs" / "server.log").read_text(errors="replace")
    assert "egress.configure() ran after" not in server_log, "a library read its switch before it was set"


# The trust configuration's flow, run inside the namespace: a generated PKI, `adapt serve` with TLS, required
# client certificates, an admin key file and keys on; a project key and a certificate mapping made over mutual
# TLS; a dataset through align (Silero VAD on onnxruntime) -> redact (presidio, spaCy, tldextract); a
# transcription; the audit log listed and verified.
TRUSTED_FLOW = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
import grpc
import adapt
from adapt_server.sampledata import generate_calls
from testkit.pki import make_pki
from testkit.servers import ServerProcess

work = Path({work!r})
pki = make_pki(work / "pki")
[call] = generate_calls(work / "samples", n_calls=1, seed=3, split="train")
tester = pki.client("flow-tester")
server = ServerProcess(work / "data", [work / "samples"], extra_args=[
    "--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key), "--client-ca", str(pki.ca),
    "--admin-key-file", str(work / "admin.key")],
    credentials=grpc.ssl_channel_credentials(pki.ca_pem, tester.key_pem, tester.cert_pem)).start()
try:
    tls = dict(root_certificates=pki.ca_pem, certificate_chain=tester.cert_pem, private_key=tester.key_pem)
    admin = adapt.Client(server.target, api_key=(work / "admin.key").read_text().strip(), **tls)
    key = admin.keys.create(["datasets:write", "speech:transcribe"], project="clinic").secret
    admin.keys.map_certificate("flow-tester", "clinic", ["datasets:read"])
    clinic = adapt.Client(server.target, api_key=key, **tls)
    dataset = clinic.datasets.create(name="call", sources=[{{"type": "local", "uri": str(call.audio_path.parent)}}],
        pipeline=[{{"step": "align", "model": "whisper-tiny.en"}}, {{"step": "redact", "entities": ["pii", "phi"]}}])
    dataset = clinic.datasets.wait(dataset.id, timeout=1200)
    print("dataset", dataset.state, "recordings=%d" % dataset.stats.recordings)
    print("transcript", clinic.speech.transcribe(call.audio_path).text[:40])
    print("certificate identity", adapt.Client(server.target, **tls).keys.whoami().project)
    print("audit events", len(list(admin.audit.list())), "verified", admin.audit.verify().ok)
finally:
    server.stop()
print("server log:", server.log_path)
"""


@pytest.mark.slow
def test_the_trusted_configuration_makes_no_outbound_attempt(namespace, tmp_path):
    """The same proof with TLS, mutual TLS, API keys, projects and the audit log on (issue 17)."""
    tests = str(Path(__file__).resolve().parents[1])
    script = TRUSTED_FLOW.format(tests=tests, work=str(tmp_path / "flow"))
    isolated = run_isolated([sys.executable, "-c", script], tmp_path, namespace, timeout=1500)
    output = isolated.result.stdout + isolated.result.stderr
    assert isolated.result.returncode == 0, output[-4000:]
    for expected in ("dataset SUCCEEDED recordings=1", "certificate identity clinic", "verified True"):
        assert expected in isolated.result.stdout, output[-4000:]
    configured = [r for r in isolated.hook_records if r["event"] == "configured"]
    assert any(r["process"] == "MainProcess" for r in configured), "the server installed its hook"
    assert any(r["process"].startswith("worker") for r in configured), f"no worker installed its hook: {configured}"
    assert isolated.hook_attempts == [], json.dumps(isolated.hook_attempts, indent=1)[:4000]
    if isolated.syscall_attempts is not None:
        assert isolated.syscall_attempts == [], "\n".join(isolated.syscall_attempts[:20])
