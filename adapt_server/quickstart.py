"""`adapt quickstart`: generate sample calls, start an embedded server, and walk the docs' whole workflow:
dataset (ingest, pipeline, a split whose holdout is unseen calls), baseline evaluation, fine-tune, holdout
validation, promotion to a deployment, and a transcription through it."""
from __future__ import annotations

import fnmatch
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from adapt._progress import console, follow
from adapt.client import Client

SERVER_START_TIMEOUT_S = 120
# the docs' hyperparameters adjusted to a CPU: the decoder and the top two encoder blocks train on cached states
# of the frozen blocks below (a fraction of a full fine-tune's cost per step, and the encoder blocks let the model
# adapt to the telephone channel), at a rate that moves it in a few steps (docs/fine_tunes.md, "On a CPU")
CPU_HYPERPARAMETERS = {"learning_rate": 1e-4, "epochs": 3, "batch_size": 16, "strategy": "frozen_encoder",
                       "trained_encoder_layers": 2}
# the docs' dataset pipeline: speaker turns, word-aligned utterances, PII/PHI out of text and audio. A call has
# two parties; saying so matters for the generated calls, whose espeak voices are too alike for the embedded
# diarizer's automatic speaker count (tuned on real speech; docs/datasets.md)
SAMPLE_PIPELINE = [{"step": "diarize", "num_speakers": 2}, {"step": "align", "model": "whisper-tiny.en"},
                   {"step": "redact", "entities": ["pii", "phi"]}]
HOLDOUT_GLOB = "*/call_holdout_*"  # the generator's holdout calls (split step `holdout_glob`, on the source uri)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, source_roots: list[Path], listen: str, log_path: Path) -> subprocess.Popen:
    """`adapt serve` as a child process; returns once its health check says SERVING (the port opens earlier,
    while the data directory is migrated) (raises if it exits first)."""
    args = [sys.executable, "-m", "adapt_server.cli", "serve", "--data-dir", str(data_dir), "--listen", listen]
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
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
            if health.status == health_pb2.HealthCheckResponse.SERVING:
                break
        except grpc.RpcError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise RuntimeError(f"adapt serve did not start within {SERVER_START_TIMEOUT_S} s; see {log_path}")
        time.sleep(0.2)
    channel.close()
    return proc


def split_step_for(calls) -> dict:
    """A `split` pipeline step that puts exactly the generator's holdout calls in holdout.

    The sample generator draws holdout calls from their own voices and sentences and names them
    call_holdout_*.wav (sampledata.generate.call_id); the split step's `holdout_glob` assigns the recordings
    of those files to holdout and every other to train, so the holdout is truly unseen (no voice, no sentence
    in training). calls: sampledata CallInfo objects (raises when one's name does not tell its split).
    """
    for call in calls:
        if fnmatch.fnmatchcase(str(call.audio_path), HOLDOUT_GLOB) != (call.split == "holdout"):
            raise ValueError(f"{call.audio_path}: a {call.split} call whose file name the holdout pattern "
                             f"{HOLDOUT_GLOB!r} does not tell apart")
    return {"step": "split", "by": "recording", "holdout_glob": HOLDOUT_GLOB}


def adapt_and_promote(client: Client, dataset, holdout_audio: Path, deployment_id: str = "prod-voice") -> None:
    """The docs' flow after the dataset: baseline, fine-tune, holdout validation, promotion, serving."""
    from adapt._training_progress import follow_training
    base = "whisper-tiny.en"
    run = client.evaluations.create(dataset_id=dataset.id, candidates=[base], metrics=["wer", "realtime_factor"])
    console.print(f"[bold]6. baseline evaluation[/] {run.id} of {base} on every recording")
    follow(client.evaluations.watch(run.id), "baseline")
    print(client.evaluations.wait(run.id).leaderboard)

    job = client.fine_tunes.create(base_model=base, dataset_id=dataset.id, hyperparameters=CPU_HYPERPARAMETERS)
    console.print(f"[bold]7. fine-tune[/] {job.id} of {base} on the training split")
    follow_training(client.fine_tunes.watch(job.id), "fine-tune")
    tuned = client.fine_tunes.wait(job.id)
    console.print(f"   tuned model: [bold]{tuned.model_id}[/] (exports: {', '.join(tuned.export_formats)})")

    validation = client.evaluations.create(dataset_id=dataset.id, split="holdout",
                                           candidates=[tuned.model_id, base], metrics=["wer"])
    console.print(f"[bold]8. holdout validation[/] {validation.id}: {tuned.model_id} against {base} on unseen calls")
    follow(client.evaluations.watch(validation.id), "validation")
    validation.wait()
    print(validation.leaderboard)
    console.print(f"   winner: {validation.winner or 'none'} ({validation.reason})")

    if validation.winner == tuned.model_id:
        deployment = client.deployments.update(deployment_id=deployment_id, routes={"stt": tuned.model_id})
        console.print(f"[bold]9. promotion[/]: deployment {deployment.id} revision {deployment.revision} routes "
                      f"stt -> {deployment.routes['stt']}")
    else:
        deployment = client.deployments.update(deployment_id=deployment_id, routes={"stt": base})
        console.print(f"[bold]9. promotion[/]: the tuned model did not win; {deployment.id} keeps serving {base}")
    transcript = client.speech.transcribe(holdout_audio, deployment_id=deployment_id)
    console.print(f"[bold]10. transcription through {deployment_id}[/] of {holdout_audio.name} with {transcript.model}:")
    print(transcript.text[:300] + ("..." if len(transcript.text) > 300 else ""))
    console.print(f"[bold]done.[/] Roll back with `adapt deployments rollback {deployment_id}`; "
                  f"see `adapt deployments get {deployment_id}` for the history.")


def run_quickstart(data_dir: Path, n_calls: int, keep_serving: bool, stop_after: str = "all") -> None:
    from adapt_server.sampledata import generate_calls

    data_dir = data_dir.expanduser().resolve()
    samples = data_dir / "samples"
    calls_dir = samples / "calls"
    n_holdout = max(2, n_calls // 3)  # held-out calls: voices and sentences the training calls never use
    with console.status(f"generating {n_calls} + {n_holdout} synthetic contact-center calls (espeak-ng, 8 kHz mu-law)"):
        train_calls = generate_calls(samples, n_calls=n_calls, seed=0, split="train")
        holdout_calls = generate_calls(samples, n_calls=n_holdout, seed=0, split="holdout")
    console.print(f"[bold]1. sample data[/]: {len(train_calls)} training and {len(holdout_calls)} holdout calls with "
                  f"transcripts in {calls_dir}")

    listen = f"127.0.0.1:{free_port()}"
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = start_server(data_dir, [samples], listen, data_dir / "server.log")
    console.print(f"[bold]2. server[/]: adapt serve on {listen} (log: {data_dir / 'server.log'})")
    try:
        client = Client(listen)
        console.print("[bold]3. models[/]: " + ", ".join(f"{m.id} ({m.kind.lower()}, {m.format})"
                                                       for m in client.models.list()))
        dataset = client.datasets.create(name="contact-center-sample",
                                         sources=[{"type": "local", "uri": str(calls_dir)}],
                                         pipeline=SAMPLE_PIPELINE + [split_step_for(train_calls + holdout_calls)])
        console.print(f"[bold]4. dataset[/] {dataset.id}: importing {calls_dir} "
                      f"({' -> '.join(s['step'] for s in SAMPLE_PIPELINE)})")
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
        if stop_after == "all":
            adapt_and_promote(client, dataset, holdout_calls[0].audio_path)
        else:
            console.print("[bold]done[/] (stopped after the dataset). The whole flow: `adapt quickstart`.")
        if keep_serving:
            console.print(f"server still running on {listen}; Ctrl-C to stop")
            proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
