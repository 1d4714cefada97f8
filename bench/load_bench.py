"""Load: a bounded mix of unary and real-time streaming transcription against one real `adapt serve`, at 4, 8,
16 and 32 concurrent streams (issue 16, defect 3).

Per level, for `--seconds` of audio per stream: N streams play realspeech utterances (generated calls when
../shared/realspeech is absent) at real-time pace in 100 ms chunks, 1.5 s of silence between utterances, each
stream from a random utterance of the program on, so their utterances end at unrelated moments, as independent
callers' do (`--aligned`: all from the first, within 1 s: every stream's final due at once, the worst case); one
client sends unary Transcribe requests of a 10-s clip back to back; one client calls ListModels every 0.25 s
(the control plane). Measured per level:
  - errors by status code (streams and unary; RESOURCE_EXHAUSTED is admission control refusing the excess);
  - unary latency p50/p95 (admitted requests);
  - final lag p50/p95: arrival of a final minus the moment the end of its utterance (the result's `end`) was
    sent; it includes the endpointer's 0.5 s of trailing silence;
  - interim results per admitted stream-minute, finals;
  - ListModels latency p50/p95;
  - server RSS: at the start (after a warm-up: one unary request and one 20-s stream), the peak of each level and
    3 s after it, and 15 s after the last level.
Prints one table, with the 1-minute load average before each level (the machine is shared).

    .venv/bin/python bench/load_bench.py [--levels 4 8 16 32] [--seconds 40] [--aligned] [--serve-arg=--max-streams=6]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
REALSPEECH_ASR = REPO / ".." / "shared" / "realspeech" / "asr"
sys.path.insert(0, str(REPO / "tests"))
RATE = 16000
CHUNK_S = 0.1
WARM_UP_STREAM_S = 20.0  # audio seconds of the warm-up stream
GAP_S = 1.5
UNARY_CLIP_S = 10.0


def load_pieces() -> list[np.ndarray]:
    """The program's pieces: each utterance followed by GAP_S of silence, float32 16 kHz."""
    from adapt_server.audio.decode import decode_audio
    pieces = []
    if (REALSPEECH_ASR / "manifest.jsonl").is_file():
        for line in (REALSPEECH_ASR / "manifest.jsonl").read_text().splitlines():
            pieces.append(decode_audio(REALSPEECH_ASR / Path(json.loads(line)["audio"]).name).samples[0])
    else:
        from adapt_server.sampledata import generate_calls
        info = generate_calls(Path(tempfile.mkdtemp()), n_calls=1, seed=5, split="holdout")[0]
        audio = decode_audio(info.audio_path).samples[0]
        pieces = [audio[int(s["start"] * RATE):int(s["end"] * RATE)]
                  for s in json.loads(info.transcript_path.read_text())["segments"]]
    gap = np.zeros(int(GAP_S * RATE), np.float32)
    return [np.concatenate([piece, gap]) for piece in pieces]


def load_program(pieces: list[np.ndarray], seconds: float, first: int = 0) -> np.ndarray:
    """The pieces from piece `first` on, looped, cut to `seconds`: float32 16 kHz."""
    order = pieces[first:] + pieces[:first]
    program = np.concatenate(order)
    while program.size < seconds * RATE:
        program = np.concatenate([program, program])
    return program[:int(seconds * RATE)]


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def percentile(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


class Level:
    def __init__(self):
        self.codes = collections.Counter()       # "stream OK", "stream RESOURCE_EXHAUSTED", "unary OK", ...
        self.unary_s: list[float] = []
        self.final_lag_s: list[float] = []
        self.final_audio_s: list[float] = []  # audio seconds of each final (same order)
        self.final_detail: list[str] = []     # where in its stream each final is, and its start (same order)
        self.interims = 0
        self.finals = 0
        self.admitted_stream_s = 0.0
        self.list_s: list[float] = []
        self.rss_peak = 0
        self.lock = threading.Lock()


def run_stream(target: str, pcm: bytes, level: Level, start_delay: float) -> None:
    import grpc

    from adapt.v1 import speech_pb2, speech_pb2_grpc
    time.sleep(start_delay)
    step = int(RATE * CHUNK_S) * 2
    sent_at = {}

    def messages():
        yield speech_pb2.StreamingTranscribeRequest(config=speech_pb2.StreamingConfig(sample_rate_hz=RATE))
        started = time.monotonic()
        sent_at["t0"] = started
        for index, offset in enumerate(range(0, len(pcm), step)):
            delay = started + index * CHUNK_S - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            yield speech_pb2.StreamingTranscribeRequest(audio=pcm[offset:offset + step])

    with grpc.insecure_channel(target) as channel:
        try:
            for result in speech_pb2_grpc.SpeechStub(channel).StreamingTranscribe(messages(), timeout=600):
                now = time.monotonic()
                with level.lock:
                    if result.is_final:
                        level.finals += 1
                        level.final_lag_s.append(now - (sent_at["t0"] + result.end))
                        level.final_audio_s.append(result.end - result.start)
                        level.final_detail.append(f"{result.start:.1f}-{result.end:.1f} s: {result.text[:50]}")
                    else:
                        level.interims += 1
            with level.lock:
                level.codes["stream OK"] += 1
                level.admitted_stream_s += len(pcm) / 2 / RATE
        except grpc.RpcError as error:
            with level.lock:
                level.codes[f"stream {error.code().name}"] += 1


def run_unary(target: str, clip: bytes, level: Level, stop: threading.Event) -> None:
    import grpc

    from adapt.v1 import speech_pb2, speech_pb2_grpc
    with grpc.insecure_channel(target) as channel:
        stub = speech_pb2_grpc.SpeechStub(channel)
        request = speech_pb2.TranscribeRequest(audio=clip, encoding=speech_pb2.LINEAR16, sample_rate_hz=RATE)
        while not stop.is_set():
            started = time.monotonic()
            try:
                stub.Transcribe(request, timeout=120)
                with level.lock:
                    level.codes["unary OK"] += 1
                    level.unary_s.append(time.monotonic() - started)
            except grpc.RpcError as error:
                with level.lock:
                    level.codes[f"unary {error.code().name}"] += 1
                stop.wait(1.0)


def run_control(target: str, level: Level, stop: threading.Event, pid: int) -> None:
    import grpc

    from adapt.v1 import models_pb2, models_pb2_grpc
    from testkit.procstat import rss_bytes
    with grpc.insecure_channel(target) as channel:
        stub = models_pb2_grpc.ModelsStub(channel)
        while not stop.is_set():
            started = time.monotonic()
            stub.ListModels(models_pb2.ListModelsRequest(), timeout=60)
            level.list_s.append(time.monotonic() - started)
            level.rss_peak = max(level.rss_peak, rss_bytes(pid))
            stop.wait(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[4, 8, 16, 32])
    parser.add_argument("--seconds", type=float, default=40.0, help="audio seconds per stream per level")
    parser.add_argument("--serve-arg", action="append", default=[], help="extra `adapt serve` argument")
    parser.add_argument("--aligned", action="store_true",
                        help="every stream plays the same utterances at the same moments (within 1 s): all finals "
                             "at once, the worst case; default: each stream starts at a random utterance")
    args = parser.parse_args()

    from testkit.procstat import rss_bytes
    from testkit.servers import ServerProcess
    pieces = load_pieces()
    clip = pcm16(load_program(pieces, UNARY_CLIP_S))
    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    server = ServerProcess(work / "data", [], extra_args=args.serve_arg).start()
    pid = server.proc.pid
    import adapt
    # warm-up: one unary request and one stream, so that RSS starts with the engine, the VAD and both paths'
    # threads in use (what is measured after the load is then what the load itself left behind)
    with adapt.Client(server.target) as client:
        client.speech.transcribe(clip, encoding="linear16", sample_rate_hz=RATE)
    run_stream(server.target, pcm16(load_program(pieces, WARM_UP_STREAM_S)), Level(), 0.0)
    time.sleep(2.0)
    rss_start = rss_bytes(pid)
    rows = []
    rng = np.random.default_rng(0)
    for streams in args.levels:
        load_avg = os.getloadavg()[0]
        level = Level()
        stop = threading.Event()
        helpers = [threading.Thread(target=run_unary, args=(server.target, clip, level, stop)),
                   threading.Thread(target=run_control, args=(server.target, level, stop, pid))]
        firsts = [0 if args.aligned else int(rng.integers(len(pieces))) for _ in range(streams)]
        players = [threading.Thread(target=run_stream, args=(server.target, pcm16(load_program(pieces, args.seconds, first)),
                                                             level, float(rng.uniform(0, 1))))
                   for first in firsts]
        for thread in helpers + players:
            thread.start()
        for thread in players:
            thread.join()
        stop.set()
        for thread in helpers:
            thread.join()
        minutes = level.admitted_stream_s / 60
        rows.append({
            "streams": streams, "load": load_avg, "codes": dict(level.codes),
            "unary_p50": percentile(level.unary_s, 50), "unary_p95": percentile(level.unary_s, 95),
            "lag_p50": percentile(level.final_lag_s, 50), "lag_p95": percentile(level.final_lag_s, 95),
            "interims_per_min": level.interims / minutes if minutes else 0.0, "finals": level.finals,
            "list_p50_ms": 1000 * percentile(level.list_s, 50), "list_p95_ms": 1000 * percentile(level.list_s, 95),
            "rss_peak_mb": level.rss_peak / 1e6,
            "slowest_finals": [{"lag_s": round(lag, 2), "audio_s": round(audio, 1), "final": detail} for lag, audio, detail
                               in sorted(zip(level.final_lag_s, level.final_audio_s, level.final_detail),
                                         reverse=True)[:5]]})
        time.sleep(3.0)
        rows[-1]["rss_after_mb"] = rss_bytes(pid) / 1e6
        print(json.dumps(rows[-1]), flush=True)
    time.sleep(15.0)
    rss_end = rss_bytes(pid)
    server.stop()
    print()
    print("| streams | load avg | outcomes | unary p50 / p95 s | final lag p50 / p95 s | interims per stream-min "
          "| finals | ListModels p50 / p95 ms | RSS peak / 3 s after MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        outcomes = ", ".join(f"{k} {v}" for k, v in sorted(row["codes"].items()))
        print(f"| {row['streams']} | {row['load']:.1f} | {outcomes} | {row['unary_p50']:.2f} / {row['unary_p95']:.2f} "
              f"| {row['lag_p50']:.2f} / {row['lag_p95']:.2f} | {row['interims_per_min']:.0f} | {row['finals']} "
              f"| {row['list_p50_ms']:.0f} / {row['list_p95_ms']:.0f} | {row['rss_peak_mb']:.0f} / {row['rss_after_mb']:.0f} |")
    print(f"\nRSS: {rss_start / 1e6:.0f} MB at the start (after a warm-up request and stream), "
          f"{rss_end / 1e6:.0f} MB 15 s after the load ({100 * (rss_end - rss_start) / rss_start:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
