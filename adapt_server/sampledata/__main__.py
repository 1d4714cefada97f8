"""Command line: python -m adapt_server.sampledata --out DIR --calls N --seed S --split train|holdout
[--domain telecom|clinic|bank|logistics] [--voices espeak|neural|mixed]."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAINS
from adapt_server.sampledata.generate import (DEFAULT_MAX_TURNS, DEFAULT_MIN_TURNS, ESPEAK, VOICE_OPTIONS,
                                              generate_calls)
from adapt_server.sampledata.script import SPLITS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m adapt_server.sampledata",
        description="Generate synthetic two-speaker contact-center calls with transcripts and ground truth.",
        epilog="domains: " + "; ".join(
            f"{name} ({domain.channel.name}, {domain.channel.sample_rate // 1000} kHz): {domain.description}"
            for name, domain in DOMAINS.items()
        ),
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder (calls/ and truth/ go inside)")
    parser.add_argument("--calls", type=int, default=6, help="number of calls (default 6)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--split", choices=SPLITS, default="train", help="voice and wording bank (default train)")
    parser.add_argument("--domain", default=DEFAULT_DOMAIN,
                        help=f"vocabulary, wording, voices and channel: {', '.join(DOMAINS)} "
                             f"(default {DEFAULT_DOMAIN})")
    parser.add_argument("--voices", choices=VOICE_OPTIONS, default=ESPEAK,
                        help="who speaks: espeak (espeak-ng, default), neural (the stock Kokoro-82M and Piper "
                             "voices: seconds to a minute of CPU a call instead of a fraction of a second; "
                             "word times approximate) or mixed (one party neural per call)")
    parser.add_argument("--stereo-share", type=float, default=0.0,
                        help="fraction of calls written as stereo, agent left and customer right (default 0)")
    parser.add_argument("--min-turns", type=int, default=DEFAULT_MIN_TURNS)
    parser.add_argument("--max-turns", type=int, default=DEFAULT_MAX_TURNS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        calls = generate_calls(args.out, n_calls=args.calls, seed=args.seed, split=args.split,
                               stereo_share=args.stereo_share, min_turns=args.min_turns, max_turns=args.max_turns,
                               domain=args.domain, voices=args.voices)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for call in calls:
        layout = "stereo" if call.stereo else "mono"
        print(f"{call.id}  {call.duration_s:5.1f} s  {call.n_turns:2d} turns  {layout}  {call.audio_path}")
    total = sum(call.duration_s for call in calls)
    print(f"{len(calls)} calls, {total / 60:.1f} min of audio in {time.perf_counter() - started:.1f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
