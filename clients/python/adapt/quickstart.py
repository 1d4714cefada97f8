"""`adapt quickstart`: generate sample calls, start an embedded server, and walk the workflow as far as the
server implements it today (dataset ingest + stats, the model catalogue)."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc

from adapt._progress import console, follow
from adapt.client import Client

SERVER_START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, source_roots: list[Path], listen: str, log_path: Path) -> subprocess.Popen:
    """`adapt serve` as a child process; returns once it answers RPCs (raises if it exits first)."""
    args = [sys.executable, "-m", "adapt.cli", "serve", "--data-dir", str(data_dir), "--listen", listen]
    for root in source_roots:
        args += ["--source-root", str(root)]
    log = open(log_path, "ab")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    channel = grpc.insecure_channel(listen)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"adapt serve exited with code {proc.returncode}; see {log_path}")
        try:
            grpc.channel_ready_future(channel).result(timeout=1)
            break
        except grpc.FutureTimeoutError:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError(f"adapt serve did not start within {SERVER_START_TIMEOUT_S} s; see {log_path}")
    channel.close()
    return proc


def run_quickstart(data_dir: Path, n_calls: int, keep_serving: bool) -> None:
    from adapt_server.sampledata import generate_calls

    data_dir = data_dir.expanduser().resolve()
    samples = data_dir / "samples"
    calls_dir = samples / "calls"
    if len(list(calls_dir.glob("*.wav"))) < n_calls:
        with console.status(f"generating {n_calls} synthetic contact-center calls (espeak-ng, 8 kHz mu-law)"):
            generate_calls(samples, n_calls=n_calls, seed=0, split="train")
    console.print(f"[bold]1. sample data[/]: {len(list(calls_dir.glob('*.wav')))} calls with transcripts "
                  f"in {calls_dir}")

    listen = f"127.0.0.1:{free_port()}"
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = start_server(data_dir, [samples], listen, data_dir / "server.log")
    console.print(f"[bold]2. server[/]: adapt serve on {listen} (log: {data_dir / 'server.log'})")
    try:
        client = Client(listen)
        console.print("[bold]3. models[/]: " + ", ".join(f"{m.id} ({m.kind.lower()}, {m.format})"
                                                       for m in client.models.list()))
        dataset = client.datasets.create(name="contact-center-sample",
                                         sources=[{"type": "local", "uri": str(calls_dir)}])
        console.print(f"[bold]4. dataset[/] {dataset.id}: importing {calls_dir}")
        follow(client.datasets.watch(dataset.id), "ingest")
        client.datasets.wait(dataset.id)
        print(dataset.stats)
        for issue in dataset.file_issues:
            console.print(f"[yellow]skipped[/] {issue.uri}: {issue.reason}")
        recording = dataset.recordings()[0]
        transcript = client.speech.transcribe(recording=(dataset.id, recording.id))
        console.print(f"[bold]5. transcription[/] of {Path(recording.source_uri).name} with {transcript.model}: "
                      f"{transcript.duration_s:.1f} s of audio in {transcript.processing_s:.2f} s "
                      f"(real-time factor {transcript.realtime_factor:.3f}), {len(transcript.words)} words")
        print(transcript.text[:300] + ("..." if len(transcript.text) > 300 else ""))
        console.print("[bold]done.[/] Next: evaluations, fine-tunes and deployments arrive with their services.")
        if keep_serving:
            console.print(f"server still running on {listen}; Ctrl-C to stop")
            proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
