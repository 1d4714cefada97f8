"""Streaming latency: N concurrent streams fed at real time over gRPC to a real `adapt serve`.

Each stream plays realspeech utterances (../shared/realspeech/asr; generated calls when it is absent) one
after another with `--gap` seconds of silence between them, as 100 ms PCM16 chunks at real-time pace.
For every utterance it measures, in wall-clock seconds:
  - first interim latency: first interim result after the utterance's speech starts (speech onset from the
    silero VAD of the file) minus the moment that onset was sent;
  - final latency: the utterance's final result minus the moment its end of speech (VAD) was sent.
Prints the median and p95 over all utterances of all streams, and the WER of the finals.

    .venv/bin/python bench/streaming_bench.py [--streams 4] [--utterances 8] [--gap 1.5]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
REALSPEECH_ASR = REPO / ".." / "shared" / "realspeech" / "asr"
sys.path.insert(0, str(REPO / "tests"))
RATE = 16000
CHUNK_S = 0.1


@dataclass(frozen=True)
class Utterance:
    audio: np.ndarray   # float32 (n,) 16 kHz
    text: str
    speech_start_s: float
    speech_end_s: float


def load_utterances(limit: int) -> list[Utterance]:
    from adapt_server.audio.decode import decode_audio
    from adapt_server.engines.vad import speech_regions
    items = []
    if (REALSPEECH_ASR / "manifest.jsonl").is_file():
        for line in (REALSPEECH_ASR / "manifest.jsonl").read_text().splitlines()[:limit]:
            entry = json.loads(line)
            items.append((decode_audio(REALSPEECH_ASR / Path(entry["audio"]).name).samples[0], entry["text"]))
    else:
        from adapt_server.sampledata import generate_calls
        out = Path(tempfile.mkdtemp())
        for info in generate_calls(out, n_calls=1, seed=5, split="holdout"):
            audio = decode_audio(info.audio_path).samples[0]
            for seg in json.loads(info.transcript_path.read_text())["segments"][:limit]:
                items.append((audio[int(seg["start"] * RATE):int(seg["end"] * RATE)], seg["text"]))
    utterances = []
    for audio, text in items:
        regions = speech_regions(audio)
        if regions:
            utterances.append(Utterance(audio, text, regions[0][0], regions[-1][1]))
    return utterances


def run_stream(client, utterances: list[Utterance], gap_s: float, out: list) -> None:
    """Feeds the utterances at real time; appends to `out` one dict: per-utterance (final, first interim)
    latencies, and the stream's reference and hypothesis text."""
    gap = np.zeros(int(gap_s * RATE), np.float32)
    timeline, pieces, t = [], [], 0.0
    for u in utterances:
        timeline.append((t + u.speech_start_s, t + u.speech_end_s, u.text))
        pieces += [u.audio, gap]
        t += u.audio.size / RATE + gap_s
    pcm = (np.clip(np.concatenate(pieces), -1, 1) * 32767).astype("<i2").tobytes()
    step = int(RATE * CHUNK_S) * 2
    started = time.monotonic()

    def chunks():
        for i, offset in enumerate(range(0, len(pcm), step)):
            delay = started + i * CHUNK_S - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            yield pcm[offset:offset + step]

    finals, interims = [], []
    for result in client.speech.stream(chunks(), sample_rate_hz=RATE):
        now = time.monotonic() - started
        (finals if result.is_final else interims).append((now, result))
    latencies = []
    for onset, end, _ in timeline:
        # the final that closes this utterance: the first one whose audio reaches its end of speech
        final = next((w for w, r in finals if r.end >= end - 0.3 and r.start <= end), None)
        first = next((w for w, r in interims if w >= onset and r.start <= end), None)
        latencies.append((final - end if final is not None else None, first - onset if first is not None else None))
    out.append({"latencies": latencies, "reference": " ".join(text for _, _, text in timeline),
                "hypothesis": " ".join(r.text for _, r in finals)})  # WER over the whole stream


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--utterances", type=int, default=8)
    parser.add_argument("--gap", type=float, default=1.5)
    args = parser.parse_args()

    import adapt
    from testkit.servers import ServerProcess
    from testkit.text import wer

    utterances = load_utterances(args.streams * args.utterances)
    work = Path(tempfile.mkdtemp())
    server = ServerProcess(work / "adapt-data", [work]).start()
    try:
        client = adapt.Client(server.target)
        list(client.speech.stream([b"\0\0" * RATE], sample_rate_hz=RATE))  # load the model once
        results: list[dict] = []
        threads = [threading.Thread(target=run_stream, args=(
            client, utterances[i::args.streams][:args.utterances], args.gap, results)) for i in range(args.streams)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.stop()
    pairs = [pair for r in results for pair in r["latencies"]]
    finals = [f for f, _ in pairs if f is not None]
    interims = [i for _, i in pairs if i is not None]
    error_rate = wer(" ".join(r["reference"] for r in results), " ".join(r["hypothesis"] for r in results))
    print(f"{args.streams} concurrent streams, real-time pace, {len(pairs)} utterances, whisper-tiny.en int8 greedy")
    print(f"final after end of speech: median {statistics.median(finals):.3f} s, p95 {percentile(finals, 95):.3f} s "
          f"({len(finals)}/{len(pairs)} utterances matched)")
    print(f"first interim after speech onset: median {statistics.median(interims):.3f} s, "
          f"p95 {percentile(interims, 95):.3f} s")
    print(f"WER of the finals (basic normalizer): {error_rate:.3f}")


if __name__ == "__main__":
    main()
