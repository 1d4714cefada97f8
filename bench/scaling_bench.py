"""Intake and evaluation throughput of `adapt serve` with the local executor and on a local Ray cluster of 1 and
2 worker processes, in the same run: audio seconds processed per wall second, from each job's claim to its end
(the jobs table), and the scaling efficiency of 2 Ray workers over 1 (throughput ratio / 2).

The workload: generated contact-center calls ingested with the vad and align steps (Silero VAD, then tiny.en
forced alignment of the sidecar transcripts: CPU-bound per recording), then an evaluation of whisper-tiny.en
on every utterance. The machine has 2 cores shared with other work: the load average before and after each
configuration is printed beside its figures.

Run: .venv/bin/python bench/scaling_bench.py [--calls 8]
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

PIPELINE = [{"step": "vad"}, {"step": "align"}]


def job_seconds(data_dir: Path, resource_id: str) -> float:
    with sqlite3.connect(data_dir / "adapt.sqlite3") as db:
        started, finished = db.execute("SELECT started_at, finished_at FROM jobs WHERE resource_id = ?",
                                       [resource_id]).fetchone()
    return finished - started


def run_config(name: str, work: Path, folder: Path, extra_args: list[str], env: dict[str, str]) -> dict:
    import adapt
    from testkit.servers import ServerProcess
    load_before = os.getloadavg()[0]
    server = ServerProcess(work / name, [folder.parent], extra_args=extra_args, env=env).start()
    try:
        with adapt.Client(server.target) as client:
            dataset = client.datasets.create(name=name, sources=[{"type": "local", "uri": str(folder)}],
                                             pipeline=PIPELINE)
            dataset = client.datasets.wait(dataset.id, timeout=3600)
            assert dataset.state == "SUCCEEDED", dataset
            evaluation = client.evaluations.create(dataset_id=dataset.id, candidates=["whisper-tiny.en"],
                                                   metrics=["wer"])
            evaluation = client.evaluations.wait(evaluation.id, timeout=3600)
            assert evaluation.state == "SUCCEEDED", evaluation
        audio_s = dataset.stats.hours * 3600
        with sqlite3.connect(server.data_dir / "adapt.sqlite3") as db:
            evaluated_s = db.execute("SELECT SUM(audio_s) FROM evaluation_utterances WHERE evaluation_id = ?",
                                     [evaluation.id]).fetchone()[0]
        intake_s, eval_s = job_seconds(server.data_dir, dataset.id), job_seconds(server.data_dir, evaluation.id)
    finally:
        server.stop()
    return {"config": name, "audio_s": round(audio_s, 1), "intake_s": round(intake_s, 2),
            "intake_rate": round(audio_s / intake_s, 2), "evaluated_s": round(evaluated_s, 1),
            "eval_s": round(eval_s, 2), "eval_rate": round(evaluated_s / eval_s, 2),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=8)
    parser.add_argument("--eval-shard-s", type=float, default=60.0,
                        help="seconds of audio per evaluation shard (ADAPT_EVAL_SHARD_AUDIO_S; the server's default "
                             "of 600 s would make a few minutes of audio one shard)")
    args = parser.parse_args()
    env = {"ADAPT_EVAL_SHARD_AUDIO_S": str(args.eval_shard_s)}
    from adapt_server.sampledata import generate_calls
    from testkit.ray_cluster import RayCluster

    work = Path(tempfile.mkdtemp(prefix="scaling-bench-"))
    generate_calls(work / "sources", n_calls=args.calls, seed=21, split="train")
    folder = work / "sources" / "calls"
    rows = [run_config("local-1-worker", work, folder, [], env)]
    for cpus in (1, 2):
        cluster = RayCluster(cpus=cpus).start()
        try:
            rows.append(run_config(f"ray-{cpus}-worker", work, folder,
                                   ["--executor", "ray", "--ray-address", cluster.address], env))
        finally:
            cluster.stop()
    by = {row["config"]: row for row in rows}
    one, two = by["ray-1-worker"], by["ray-2-worker"]
    summary = {
        "intake_speedup_2_over_1": round(two["intake_rate"] / one["intake_rate"], 2),
        "intake_efficiency": round(two["intake_rate"] / one["intake_rate"] / 2, 2),
        "eval_speedup_2_over_1": round(two["eval_rate"] / one["eval_rate"], 2),
        "eval_efficiency": round(two["eval_rate"] / one["eval_rate"] / 2, 2),
        "ray_1_over_local_intake": round(one["intake_rate"] / by["local-1-worker"]["intake_rate"], 2),
        "ray_1_over_local_eval": round(one["eval_rate"] / by["local-1-worker"]["eval_rate"], 2),
    }
    print(f"{'config':16} {'audio s':>8} {'intake s':>9} {'x RT':>6} {'eval s':>8} {'x RT':>6} {'load':>11}")
    for row in rows:
        print(f"{row['config']:16} {row['audio_s']:8.1f} {row['intake_s']:9.2f} {row['intake_rate']:6.2f} "
              f"{row['eval_s']:8.2f} {row['eval_rate']:6.2f} {row['load_before']:5.2f}->{row['load_after']:<5.2f}")
    print(json.dumps({"rows": rows, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
