"""Benchmark: Adapt's numba log-mel vs faster-whisper's and transformers' Whisper feature extractors.

    .venv/bin/python bench/frontend_bench.py                 # threads 1 and all cores, 30 s and 10 min
    .venv/bin/python bench/frontend_bench.py --threads 2 --runs 15

What is timed (same audio for all three, output (80, ~n_samples / 160) float32):
- Adapt:          ``adapt_kernels.mel.log_mel_spectrogram(audio)``
- faster-whisper: ``faster_whisper.feature_extractor.FeatureExtractor()(audio)``, its defaults, as its
                  ``transcribe()`` calls it (numpy STFT + a dense BLAS mel product; 160 zero samples appended)
- transformers:   ``WhisperFeatureExtractor()(audio, padding="longest", truncation=False)`` (its torch path)

Threads are pinned equally for all, per row of the table, with ``adapt_kernels.threads.pin_threads``:
numba (Adapt), BLAS (faster-whisper's matrix product; numpy's FFT is single-threaded) and torch
(transformers) all get the same count. Each timing is the median of ``--runs`` calls after two warm-up
calls. The machine may be shared: medians resist outliers, the load average is printed, and ratios
(faster-whisper time / Adapt time) are computed within one run.
Audio: the realspeech ASR utterances concatenated and repeated when ../shared/realspeech is present, else a
seeded synthetic signal (noise, tones and chirps).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from adapt_kernels.mel import log_mel_spectrogram, warmup
from adapt_kernels.threads import available_cores, pin_threads
from adapt_kernels.whisper_constants import SAMPLE_RATE

REALSPEECH_ASR = Path(__file__).resolve().parents[1] / ".." / "shared" / "realspeech" / "asr"
DURATIONS_SECONDS = (30.0, 600.0)


def load_audio(seconds: float) -> tuple[np.ndarray, str]:
    """float32 audio of ``seconds`` at 16 kHz, shape (n,), and a description of where it came from."""
    n_samples = int(seconds * SAMPLE_RATE)
    paths = sorted(REALSPEECH_ASR.glob("*.wav"))
    if paths:
        from adapt_server.audio.wav import read_pcm16_wav  # the corpus is 16 kHz mono PCM16

        speech = np.concatenate([read_pcm16_wav(path)[0] for path in paths])
        return np.resize(speech, n_samples).astype(np.float32), f"realspeech ({len(paths)} utterances, repeated)"
    rng = np.random.default_rng(0)
    t = np.arange(n_samples) / SAMPLE_RATE
    sweep = t % 3.0
    audio = (0.02 * rng.standard_normal(n_samples) + 0.2 * np.sin(2 * np.pi * 220.0 * t)
             + 0.15 * np.sin(2 * np.pi * (100.0 * sweep + 1300.0 * sweep**2)))
    return (0.8 * audio / np.abs(audio).max()).astype(np.float32), "synthetic (noise + tones + chirps)"


def median_seconds(function: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls of ``function``, after two untimed warm-up calls."""
    function()
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=sorted({1, available_cores()}),
                        help="thread counts to pin for every library, one table row each (default: 1 and all)")
    parser.add_argument("--runs", type=int, default=9, help="timed calls per measurement (median reported)")
    args = parser.parse_args()

    warmup_seconds = warmup()  # compiles, or loads numba's on-disk cache
    from faster_whisper.feature_extractor import FeatureExtractor
    from transformers import WhisperFeatureExtractor

    faster_whisper_extractor = FeatureExtractor(feature_size=80)
    transformers_extractor = WhisperFeatureExtractor(feature_size=80)

    def transformers_features(audio: np.ndarray) -> np.ndarray:
        return transformers_extractor(audio, sampling_rate=SAMPLE_RATE, return_tensors="np", padding="longest",
                                      truncation=False).input_features

    print(f"Adapt warm-up (compile or cache load): {warmup_seconds:.2f} s; "
          f"cores available: {available_cores()}; load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'audio':>6} {'thr':>3} | {'Adapt ms':>9} {'f-whisper ms':>12} {'HF ms':>9} | "
          f"{'f-whisper/Adapt':>15} {'HF/Adapt':>8}")
    for seconds in DURATIONS_SECONDS:
        audio, source = load_audio(seconds)
        for threads in args.threads:
            applied = pin_threads(numba=threads, blas=threads, torch=threads)
            adapt = median_seconds(lambda: log_mel_spectrogram(audio, n_mels=80), args.runs)
            faster_whisper = median_seconds(lambda: faster_whisper_extractor(audio), args.runs)
            hugging_face = median_seconds(lambda: transformers_features(audio), args.runs)
            label = f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"
            print(f"{label:>6} {applied.numba:>3} | {adapt * 1e3:9.2f} {faster_whisper * 1e3:12.2f} "
                  f"{hugging_face * 1e3:9.2f} | {faster_whisper / adapt:14.1f}x {hugging_face / adapt:7.1f}x")
    print(f"audio: {source}; median of {args.runs} runs each; load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
