"""Benchmark: the transformers backend's batched path vs a per-utterance `generate` loop, per family, on tiny random
checkpoints (tests/testkit/tiny_checkpoints.py). No WER: random weights say nothing about accuracy.

    .venv/bin/python bench/transformers_bench.py                  # every family, 16 clips of 2-8 s, 2 threads
    .venv/bin/python bench/transformers_bench.py --families qwen3_asr cohere_asr --clips 8 --runs 3

What is timed, for the same clips (decoded whole, no VAD; greedy, max_new_tokens fixed):
- loop:     for each clip, the family's inputs for that clip alone and one `model.generate` (the peer: what a
            script calling transformers directly does);
- adapt/1:  `TransformersRecognizer.decode_clips(clips, batch_size=1)`: the backend's overhead over the loop
            (checks, prompt building, output parsing, scores);
- adapt/8:  `decode_clips(clips, batch_size=8)`: padded batches, one generate per batch.
Printed: medians of --runs (interleaved, order rotated), `overhead` = adapt/1 / loop, `batching gain` = loop / adapt/8, and whether
the three gave the same tokens (they must: batching does not change items). Absolute times on tiny models are
dominated by per-call overhead, so the gain is an upper bound of what batching buys on real checkpoints, where
each call does far more arithmetic; rerun with real checkpoints (`--checkpoint DIR`) for their figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

FAMILIES = ("qwen3_asr", "voxtral", "voxtral_realtime", "cohere_asr", "whisper")


def loop_decode(recognizer, clips, options) -> list[tuple[int, ...]]:
    """The peer: one generate per clip, inputs built for that clip alone."""
    import torch

    from adapt_server.engines.transformers.recognizer import generation_kwargs

    tokens = []
    eos = recognizer.codec.eos_ids()
    for clip in clips:
        batch = recognizer.codec.batch([clip], options.language, None)
        kwargs = {**generation_kwargs(options), **batch.generate_kwargs, "return_dict_in_generate": False,
                  "output_scores": False}
        with torch.inference_mode():
            out = recognizer.model.generate(**batch.inputs, **kwargs)
        generated = out[0, batch.prompt_length:].tolist()  # whisper: generate returns only the new tokens
        end = next((i for i, token in enumerate(generated) if token in eos), len(generated))
        tokens.append(tuple(generated[:end]))
    return tokens


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", nargs="*", default=list(FAMILIES))
    parser.add_argument("--checkpoint", type=Path, help="a real checkpoint directory instead of the tiny ones")
    parser.add_argument("--clips", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--new-tokens", type=int, default=16)
    args = parser.parse_args()

    import torch

    from adapt_server.engines.options import DecodeOptions
    from adapt_server.engines.transformers import inspect_transformers_directory, load_transformers_recognizer
    from testkit.tiny_checkpoints import make_tiny_checkpoint

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    clips = [rng.normal(0, 0.05, int(16000 * seconds)).astype(np.float32)
             for seconds in rng.uniform(2.0, 8.0, args.clips)]
    print(f"{args.clips} clips of 2-8 s ({sum(c.size for c in clips) / 16000:.0f} s), greedy, "
          f"max_new_tokens {args.new_tokens}, {args.threads} torch threads, median of {args.runs}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'family':18s} {'loop s':>8s} {'adapt/1 s':>10s} {'adapt/8 s':>10s} {'overhead':>9s} "
          f"{'batch gain':>11s} same")
    with tempfile.TemporaryDirectory() as scratch:
        targets = [(inspect_transformers_directory(args.checkpoint).family, args.checkpoint)] if args.checkpoint \
            else [(family, make_tiny_checkpoint(family, Path(scratch) / family)) for family in args.families]
        for family, path in targets:
            recognizer = load_transformers_recognizer(family, path, threads=args.threads)
            language = recognizer.default_language() if family != "cohere_asr" else "en"
            options = DecodeOptions(beam_size=1, max_new_tokens=args.new_tokens, language=language)
            recognizer.decode_clips(clips[:2], options, batch_size=2)  # warm-up
            times = {"loop": [], "one": [], "eight": []}
            results = {}
            contenders = [("loop", lambda: loop_decode(recognizer, clips, options)),
                          ("one", lambda: [d.tokens for d in recognizer.decode_clips(clips, options, 1)]),
                          ("eight", lambda: [d.tokens for d in recognizer.decode_clips(clips, options, 8)])]
            for run_index in range(args.runs):  # interleaved, the order rotated each run (no one always first)
                shift = run_index % len(contenders)
                for name, run in contenders[shift:] + contenders[:shift]:
                    seconds, results[name] = timed(run)
                    times[name].append(seconds)
            loop, one, eight = (statistics.median(times[name]) for name in ("loop", "one", "eight"))
            same = results["one"] == results["eight"] == results["loop"]
            print(f"{family:18s} {loop:8.2f} {one:10.2f} {eight:10.2f} {one / loop:8.2f}x {loop / eight:10.2f}x "
                  f"{'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
