"""Long fuzz run of the audio decoders: the CI test (tests/server/audio/test_decoders_fuzz.py) at a larger
scale and with a fresh seed.

Targets: `decode_audio` (strict and lenient), `Linear16Stream` and `EncodedStream`, each case in a forked
child process bounded by --case-timeout seconds (testkit/audio_fuzz.py). Inputs: every WAV header field at
edge values, truncations of every seed file (wav PCM16 / mu-law / stereo / IMA ADPCM, mp3, ogg opus,
flac, adts aac: every offset of the first 64 bytes, then ~500 more), damaged RIFF chunk structure, random
bytes behind magic numbers, then random byte edits of the seed files until --seconds run out.

Prints outcomes per target (ok, AudioDecodeError, crash = any other exception, hang, died), cases per
second, and the slowest case against the median case of the same target (a hostile input should not cost
much more than a normal one). Every escaped case, and the slowest case of each target, is saved under
--save-dir for replay.

Run: .venv/bin/python bench/fuzz_bench.py [--seconds 300] [--seed N] [--save-dir DIR]
"""
from __future__ import annotations

import argparse
import collections
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from testkit.audio_fuzz import (  # noqa: E402
    TARGETS,
    Case,
    CaseRunner,
    apply_edits,
    chunk_structure_mutations,
    random_edits,
    random_inputs,
    seed_files,
    small_wav,
    truncations,
    wav_field_mutations,
)


def enumerated_cases(rng: np.random.Generator):
    wav = small_wav()
    for target in TARGETS:
        for piece in (1, 7, 4096):
            for label, data in itertools.chain(wav_field_mutations(wav), chunk_structure_mutations(wav)):
                yield Case(f"{label}/piece={piece}", target, data, piece=piece)
    for name, data in sorted(seed_files().items()):
        for label, cut in truncations(data, stride=max(1, len(data) // 500)):
            for target in TARGETS:
                yield Case(f"{name}/{label}", target, cut, piece=512, channels=2 if "stereo" in name else 1,
                           sample_rate=8000 if "8k" in name else 16000)
    for label, data in random_inputs(rng, 2000):
        for target in TARGETS:
            yield Case(label, target, data, piece=int(rng.choice([1, 13, 512, 65536])), channels=int(rng.integers(1, 3)))


def edited_cases(rng: np.random.Generator):
    names = sorted(seed_files())
    for index in itertools.count():
        name = names[int(rng.integers(0, len(names)))]
        edits = random_edits(rng, int(rng.integers(1, 9)))
        target = TARGETS[int(rng.integers(0, len(TARGETS)))]
        yield Case(f"{name} + {', '.join(map(str, edits))}", target, apply_edits(seed_files()[name], edits),
                   piece=int(rng.choice([13, 512, 65536])), declare_rate=bool(index % 2),
                   channels=2 if "stereo" in name else 1, sample_rate=8000 if "8k" in name else 16000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=300, help="time budget for the random-edit phase")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one, printed)")
    parser.add_argument("--case-timeout", type=float, default=10.0, help="wall-clock bound per case (s)")
    parser.add_argument("--save-dir", type=Path, default=Path("fuzz-escapes"))
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % (1 << 32))
    rng = np.random.default_rng(seed)
    print(f"seed {seed}; case bound {args.case_timeout:g} s; edit phase {args.seconds:g} s", flush=True)

    outcomes = collections.defaultdict(collections.Counter)  # target -> kind -> count
    times = collections.defaultdict(list)  # target -> seconds per case (ok or decode_error)
    slowest = {}  # target -> (seconds, label)
    slowest_data = {}  # target -> the slowest Case
    escapes = []
    started = time.perf_counter()

    def record(case: Case, runner: CaseRunner) -> None:
        outcome = runner.run(case)
        outcomes[case.target][outcome.kind] += 1
        if outcome.kind in ("ok", "decode_error"):
            times[case.target].append(outcome.seconds)
            if outcome.seconds > slowest.get(case.target, (0.0, ""))[0]:
                slowest[case.target] = (outcome.seconds, case.label)
                slowest_data[case.target] = case
        else:
            escapes.append((case, outcome))
            args.save_dir.mkdir(parents=True, exist_ok=True)
            stem = args.save_dir / f"{len(escapes):04d}-{case.target}"
            stem.with_suffix(".bin").write_bytes(case.data)
            stem.with_suffix(".txt").write_text(f"{case}\n{outcome.kind} {outcome.error_type}\n{outcome.message}\n")
            print(f"ESCAPE {outcome.kind} {outcome.error_type} in {case.target} <- {case.label} "
                  f"(saved {stem}.bin)", flush=True)

    with CaseRunner(timeout_s=args.case_timeout) as runner:
        enumerated = 0
        for case in enumerated_cases(rng):
            record(case, runner)
            enumerated += 1
        enumeration_s = time.perf_counter() - started
        print(f"enumerations: {enumerated} cases in {enumeration_s:.1f} s", flush=True)
        deadline = time.perf_counter() + args.seconds
        edited = 0
        for case in edited_cases(rng):
            if time.perf_counter() > deadline:
                break
            record(case, runner)
            edited += 1
    total_s = time.perf_counter() - started
    print(f"random edits: {edited} cases in {total_s - enumeration_s:.1f} s")
    print()
    print(f"{'target':22} {'cases':>7} {'ok':>7} {'decode_err':>10} {'crash':>6} {'hang':>5} {'died':>5} "
          f"{'median ms':>9} {'slowest ms':>10} {'slowest/median':>14}")
    for target in TARGETS:
        counts = outcomes[target]
        median = statistics.median(times[target]) if times[target] else 0.0
        worst, label = slowest.get(target, (0.0, ""))
        ratio = f"{worst / median:.0f}x" if median else "-"
        print(f"{target:22} {sum(counts.values()):>7} {counts['ok']:>7} {counts['decode_error']:>10} "
              f"{counts['crash']:>6} {counts['hang']:>5} {counts['died']:>5} {1000 * median:>9.2f} "
              f"{1000 * worst:>10.1f} {ratio:>14}")
    args.save_dir.mkdir(parents=True, exist_ok=True)
    for target in TARGETS:
        if target in slowest:
            path = args.save_dir / f"slowest-{target}.bin"
            path.write_bytes(slowest_data[target].data)
            print(f"slowest {target}: {slowest[target][1][:160]} (piece {slowest_data[target].piece}; saved {path})")
    print(f"\n{sum(sum(c.values()) for c in outcomes.values())} cases in {total_s:.0f} s, seed {seed}: "
          f"{len(escapes)} escaped")
    return 1 if escapes else 0


if __name__ == "__main__":
    raise SystemExit(main())
