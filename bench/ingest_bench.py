"""Ingest normalization throughput: Adapt's decode path vs the ffmpeg CLI, on the same files, in one run.

Both sides turn every input into a 16 kHz mono PCM16 WAV file:
  Adapt:  decode_audio(path) -> encode_pcm16_wav -> write the file   (in-process, PyAV/libswresample)
  ffmpeg: ffmpeg -nostdin -loglevel error -threads 1 -y -i IN -ac 1 -ar 16000 -c:a pcm_s16le -threads 1 OUT.wav
          (one process per file, as a shell pipeline or job runner would call it)

Fairness: both run on one CPU core. The process pins itself with sched_setaffinity and the ffmpeg children
inherit that pin; `-threads 1` keeps ffmpeg's decoder/encoder single-threaded; BLAS/OpenMP pools are set to 1.
The ffmpeg figure includes its process start-up, a real cost of calling the CLI per file; a start-up-free
figure (start-up measured on a 0.1 s file and subtracted) is printed too. Each side's time is the median of
`--repeats` repetitions (default 3); the two sides alternate order between repetitions.

Inputs: `--files` (default 20) generated recordings of 1-5 minutes in a rotating mix of formats (8 kHz mu-law
wav, mp3, flac, ogg/opus, m4a/aac, stereo wav) with a speech-like synthetic signal, plus the
../shared/realspeech/asr wavs when present.

Output: hours of audio normalized per minute of wall time for each side and the ratio Adapt / ffmpeg.
Exit status 2 when the ffmpeg CLI is not installed.

    .venv/bin/python bench/ingest_bench.py [--files 20] [--repeats 3] [--seed 0]
"""
# ruff: noqa: E402  (the thread-pool variables must be set before numpy is imported)
from __future__ import annotations

import os

for _pool in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_pool] = "1"  # before numpy is imported

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.audio.constants import SECONDS_PER_HOUR, TARGET_SAMPLE_RATE
from adapt_server.audio.decode import decode_audio
from adapt_server.audio.encode import encode_audio
from adapt_server.audio.wav import read_pcm16_wav, write_pcm16_wav

REPO = Path(__file__).resolve().parents[1]
REALSPEECH_ASR = REPO / ".." / "shared" / "realspeech" / "asr"

# label -> (file suffix, container, encoder, signal rate Hz, codec rate Hz or None, channels)
INPUT_KINDS = {
    "mulaw-8k.wav": (".wav", "wav", "pcm_mulaw", 8000, 8000, 1),
    "mp3-44k-stereo": (".mp3", "mp3", "libmp3lame", 44100, None, 2),
    "flac-16k": (".flac", "flac", "flac", 16000, None, 1),
    "opus-48k": (".opus", "ogg", "libopus", 48000, 48000, 1),
    "m4a-aac-44k": (".m4a", "ipod", "aac", 44100, None, 1),
    "wav-44k-stereo": (".wav", "wav", "pcm_s16le", 44100, None, 2),
}


@dataclass(frozen=True)
class BenchInput:
    path: Path
    kind: str  # a key of INPUT_KINDS, or "realspeech-16k.wav"
    duration_s: float  # seconds of audio


def speech_like(seconds: float, sample_rate: int, channels: int, rng: np.random.Generator) -> np.ndarray:
    """float32 (channels, n): a gliding harmonic 'voice' plus noise bursts under a ~4 Hz syllable envelope."""
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    pitch = 120 + 40 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 6.28))  # Hz
    phase = 2 * np.pi * np.cumsum(pitch) / sample_rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 8))
    envelope = np.clip(np.sin(2 * np.pi * 4 * t + rng.uniform(0, 6.28)), 0, None) ** 2
    signal = 0.15 * envelope * voice + 0.02 * rng.standard_normal(n)
    out = np.stack([signal * (1.0 - 0.3 * c) + 0.01 * rng.standard_normal(n) for c in range(channels)])
    return np.clip(out, -1, 1).astype(np.float32)


def generate_inputs(folder: Path, count: int, seed: int) -> list[BenchInput]:
    rng = np.random.default_rng(seed)
    kinds = list(INPUT_KINDS)
    inputs = []
    for index in range(count):
        kind = kinds[index % len(kinds)]
        suffix, container, codec, rate, codec_rate, channels = INPUT_KINDS[kind]
        minutes = float(rng.uniform(1.0, 5.0))
        samples = speech_like(60 * minutes, rate, channels, rng)
        path = folder / f"in_{index:02d}_{kind.replace('.', '_')}{suffix}"
        path.write_bytes(encode_audio(samples, rate, container=container, codec=codec, codec_sample_rate=codec_rate))
        inputs.append(BenchInput(path, kind, decode_audio(path).info.duration_s))
    return inputs


def realspeech_inputs() -> list[BenchInput]:
    if not REALSPEECH_ASR.is_dir():
        return []
    paths = sorted(REALSPEECH_ASR.glob("*.wav"))
    return [BenchInput(path, "realspeech-16k.wav", decode_audio(path).info.duration_s) for path in paths]


def adapt_normalize(source: Path, target: Path) -> None:
    decoded = decode_audio(source)
    write_pcm16_wav(target, decoded.mono, TARGET_SAMPLE_RATE)


def ffmpeg_command(ffmpeg: str, source: Path, target: Path) -> list[str]:
    return [ffmpeg, "-nostdin", "-loglevel", "error", "-threads", "1", "-y", "-i", str(source),
            "-ac", "1", "-ar", str(TARGET_SAMPLE_RATE), "-c:a", "pcm_s16le", "-threads", "1", str(target)]


def ffmpeg_normalize(ffmpeg: str, source: Path, target: Path) -> None:
    subprocess.run(ffmpeg_command(ffmpeg, source, target), check=True)


def timed_pass(normalize, inputs: list[BenchInput], out_dir: Path) -> dict[str, float]:
    """Seconds of wall time per input kind for one pass over `inputs`, plus the total under 'all'."""
    per_kind: dict[str, float] = {}
    for item in inputs:
        started = time.perf_counter()
        normalize(item.path, out_dir / (item.path.stem + ".wav"))
        per_kind[item.kind] = per_kind.get(item.kind, 0.0) + time.perf_counter() - started
    per_kind["all"] = sum(per_kind.values())
    return per_kind


def ffmpeg_startup_s(ffmpeg: str, folder: Path, repeats: int = 5) -> float:
    """Median seconds ffmpeg takes to convert a 0.1 s wav: process start-up and teardown."""
    tiny = folder / "tiny.wav"
    write_pcm16_wav(tiny, np.zeros(TARGET_SAMPLE_RATE // 10, dtype=np.float32), TARGET_SAMPLE_RATE)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        ffmpeg_normalize(ffmpeg, tiny, folder / "tiny_out.wav")
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def agreement(inputs: list[BenchInput], adapt_dir: Path, ffmpeg_dir: Path) -> tuple[int, float]:
    """(largest length difference in samples, lowest SNR in dB) between the two sides' outputs."""
    worst_length, worst_snr = 0, float("inf")
    for item in inputs:
        ours, _ = read_pcm16_wav(adapt_dir / (item.path.stem + ".wav"))
        theirs, _ = read_pcm16_wav(ffmpeg_dir / (item.path.stem + ".wav"))
        worst_length = max(worst_length, abs(ours.size - theirs.size))
        n = min(ours.size, theirs.size)
        noise = np.sum((ours[:n] - theirs[:n]).astype(np.float64) ** 2)
        signal = np.sum(theirs[:n].astype(np.float64) ** 2)
        snr = float("inf") if noise == 0 else 10 * np.log10(signal / noise)
        worst_snr = min(worst_snr, snr)
    return worst_length, worst_snr


def hours_per_minute(audio_s: float, wall_s: float) -> float:
    return (audio_s / SECONDS_PER_HOUR) / (wall_s / 60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=20, help="generated recordings (1-5 min each)")
    parser.add_argument("--repeats", type=int, default=3, help="repetitions; the median is reported")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-realspeech", action="store_true", help="leave out ../shared/realspeech/asr")
    args = parser.parse_args()

    ffmpeg = shutil.which("ffmpeg") or ("/usr/bin/ffmpeg" if Path("/usr/bin/ffmpeg").exists() else None)
    if ffmpeg is None:
        print("ingest_bench: the ffmpeg CLI is not installed (apt-get install ffmpeg); nothing to compare against.",
              file=sys.stderr)
        return 2
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})  # ffmpeg children inherit this

    with tempfile.TemporaryDirectory(prefix="adapt_ingest_bench_") as tmp:
        folder = Path(tmp)
        (folder / "in").mkdir()
        started = time.perf_counter()
        inputs = generate_inputs(folder / "in", args.files, args.seed)
        if not args.no_realspeech:
            inputs += realspeech_inputs()
        audio_s = sum(item.duration_s for item in inputs)
        kinds = sorted({item.kind for item in inputs})
        print(f"inputs: {len(inputs)} files, {audio_s / 60:.1f} min of audio, kinds: {', '.join(kinds)} "
              f"(generated in {time.perf_counter() - started:.0f} s)")
        print(f"pinned to CPU {cpu}; ffmpeg: {ffmpeg} ({ffmpeg_version(ffmpeg)}) with -threads 1")

        adapt_dir, ffmpeg_dir = folder / "adapt", folder / "ffmpeg"
        adapt_dir.mkdir()
        ffmpeg_dir.mkdir()
        adapt_normalize(inputs[0].path, adapt_dir / "warmup.wav")  # imports, codec tables
        adapt_runs, ffmpeg_runs = [], []
        for repeat in range(args.repeats):
            sides = [("adapt", adapt_runs), ("ffmpeg", ffmpeg_runs)]
            for side, runs in sides if repeat % 2 == 0 else reversed(sides):
                if side == "adapt":
                    runs.append(timed_pass(adapt_normalize, inputs, adapt_dir))
                else:
                    runs.append(timed_pass(lambda s, t: ffmpeg_normalize(ffmpeg, s, t), inputs, ffmpeg_dir))
            adapt_s, ffmpeg_s = adapt_runs[-1]["all"], ffmpeg_runs[-1]["all"]
            print(f"  repetition {repeat + 1}: adapt {adapt_s:.2f} s, ffmpeg {ffmpeg_s:.2f} s")
        startup_s = ffmpeg_startup_s(ffmpeg, folder)
        length_diff, snr_db = agreement(inputs, adapt_dir, ffmpeg_dir)

    def median(runs: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in runs)

    adapt_s, ffmpeg_s = median(adapt_runs, "all"), median(ffmpeg_runs, "all")
    ffmpeg_work_s = max(ffmpeg_s - startup_s * len(inputs), 1e-9)
    print()
    print(f"{'kind':22s} {'audio min':>9s} {'adapt s':>8s} {'ffmpeg s':>8s} {'adapt/ffmpeg speed':>19s}")
    for kind in kinds:
        kind_audio_min = sum(item.duration_s for item in inputs if item.kind == kind) / 60
        a, f = median(adapt_runs, kind), median(ffmpeg_runs, kind)
        print(f"{kind:22s} {kind_audio_min:9.1f} {a:8.2f} {f:8.2f} {f / a:18.2f}x")
    print()
    adapt_rate, ffmpeg_rate = hours_per_minute(audio_s, adapt_s), hours_per_minute(audio_s, ffmpeg_s)
    print(f"Adapt  (decode_audio + encode_pcm16_wav + write): {adapt_rate:8.1f} h of audio / min "
          f"(median {adapt_s:.2f} s for {audio_s / 3600:.2f} h)")
    print(f"ffmpeg CLI (one process per file, -threads 1):    {ffmpeg_rate:8.1f} h of audio / min "
          f"(median {ffmpeg_s:.2f} s)")
    print(f"ratio Adapt / ffmpeg: {adapt_rate / ffmpeg_rate:.2f}")
    print(f"ffmpeg without its start-up ({startup_s * 1000:.0f} ms per process x {len(inputs)}): "
          f"{hours_per_minute(audio_s, ffmpeg_work_s):.1f} h/min; ratio Adapt / that: "
          f"{adapt_rate / hours_per_minute(audio_s, ffmpeg_work_s):.2f}")
    print(f"outputs agree: lengths within {length_diff} samples, lowest SNR Adapt vs ffmpeg {snr_db:.1f} dB")
    return 0


def ffmpeg_version(ffmpeg: str) -> str:
    first_line = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split("\n")[0]
    return " ".join(first_line.split()[:3])


if __name__ == "__main__":
    sys.exit(main())
