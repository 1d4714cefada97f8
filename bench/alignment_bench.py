"""Benchmark: transcript alignment (word-start error) vs faster-whisper word timestamps, on real speech.

    .venv/bin/python bench/alignment_bench.py                 # realspeech silver timings
    .venv/bin/python bench/alignment_bench.py --calibrate 4   # also 4 generated calls with exact word times

Corpus: ../shared/realspeech/align: 5 LibriVox utterances (71 words, ~25 s) with **silver** word timings
(pocketsphinx forced alignment, 10-ms resolution); the bench exits with a message when it is absent.

What is measured, in one process, one run (tiny.en int8, same model files, same threads):
- Adapt, per utterance: ``align_transcript(audio, reference text, engine)`` on each utterance.
- Adapt, long recording: the 5 utterances concatenated twice with 2 s of silence between them (~70 s, one
  transcript for all), so the windowing (recognition pass, anchors, several 30-s windows) is exercised.
- Adapt, without the lag correction: the per-utterance times with forced_alignment.ATTENTION_LAG_S added back (what
  plain cross-attention DTW gives), to show what the correction is worth.
- faster-whisper: ``WhisperModel(...).transcribe(audio, word_timestamps=True, beam_size=5, language="en")``,
  i.e. recognized words with Whisper's own word timestamps, which is what a user gets without a forced
  aligner. Only its words that match a reference word (edit-distance alignment after lowercasing and removing
  punctuation) are scored; the table says how many.
Error: |aligned word start - silver word start| over the reference words (silence tokens excluded); the table
shows the median (the issue's target: <= 80 ms), the 90th percentile and the share within 100 ms.
With --calibrate N: N generated calls (espeak voices, telephone band, exact word times from the renderer)
aligned as whole recordings: the same errors, the signed median (the lag left over: ATTENTION_LAG_S plus
this is the lag measured there), and the score of each correct transcript vs a transcript of another call.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from adapt_kernels.threads import ThreadBudget, pin_threads
from rapidfuzz.distance import Levenshtein

REPO = Path(__file__).resolve().parents[1]
REALSPEECH = REPO / ".." / "shared" / "realspeech"
SAMPLE_RATE = 16000
GAP_S = 2.0  # seconds of silence between utterances of the long recording


def load_silver(realspeech: Path) -> list[tuple[str, np.ndarray, list[dict]]]:
    """(id, float32 16-kHz audio, silver words without <sil>) of each word-level item."""
    from adapt_server.audio.decode import decode_audio

    items = []
    for line in (realspeech / "align" / "manifest.jsonl").read_text().splitlines():
        item = json.loads(line)
        if not str(item.get("level", "")).startswith("word"):
            continue
        timings = json.loads((realspeech / item["timings"]).read_text())
        words = [word for word in timings["words"] if not word["word"].startswith("<")]
        items.append((item["id"], decode_audio(realspeech / item["audio"]).mono, words))
    return items


def start_errors(aligned, reference: list[dict], matched_only: bool = False) -> list[float]:
    """Signed start errors (seconds) of aligned words (objects with .text, .start) against reference words;
    with matched_only the two sequences are edit-aligned and only equal words count."""
    from adapt_server.intake.alignment.anchors import word_key

    if not matched_only:
        if len(aligned) != len(reference):
            raise SystemExit(f"aligner returned {len(aligned)} words for {len(reference)} reference words")
        return [word.start - ref["start"] for word, ref in zip(aligned, reference)]
    source = [word_key(ref["word"]) for ref in reference]
    target = [word_key(word.text) for word in aligned]
    errors = []
    for block in Levenshtein.opcodes(source, target):
        if block.tag == "equal":
            for offset in range(block.src_end - block.src_start):
                errors.append(aligned[block.dest_start + offset].start - reference[block.src_start + offset]["start"])
    return errors


def summary(name: str, errors: list[float], reference_words: int, seconds: float, audio_s: float) -> str:
    absolute = np.abs(np.asarray(errors)) * 1000
    return (f"| {name} | {len(errors)}/{reference_words} | {np.median(absolute):.0f} | "
            f"{np.percentile(absolute, 90):.0f} | {np.mean(absolute <= 100) * 100:.0f}% | "
            f"{np.median(errors) * 1000:+.0f} | {seconds / audio_s:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--calibrate", type=int, default=0, metavar="N", help="also N generated calls")
    parser.add_argument("--no-peer", action="store_true", help="skip faster-whisper")
    args = parser.parse_args()
    if not (REALSPEECH / "align" / "manifest.jsonl").is_file():
        sys.exit(f"{REALSPEECH.resolve()}/align is absent: this bench needs the realspeech corpus")
    budget = ThreadBudget(numba=args.threads, blas=1, torch=args.threads, ctranslate2_intra=args.threads)
    pin_threads(numba=args.threads, blas=1)
    from adapt_server.models.bundled import bundled_model_path
    from adapt_server.engines.whisper import WhisperEngine
    from adapt_server.intake.alignment import align_transcript
    from adapt_server.engines.forced_alignment import ATTENTION_LAG_S

    engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en", compute_type="int8",
                           threads=budget)
    engine.warmup()
    items = load_silver(REALSPEECH)
    n_words = sum(len(words) for _, _, words in items)
    audio_s = sum(audio.size for _, audio, _ in items) / SAMPLE_RATE
    rows = []

    started, errors, corrected_off = time.perf_counter(), [], []
    for _, audio, words in items:
        result = align_transcript(audio, " ".join(word["word"] for word in words), engine)
        errors += start_errors(result.words, words)
    elapsed = time.perf_counter() - started
    rows.append(summary("Adapt align_transcript, per utterance", errors, n_words, elapsed, audio_s))
    corrected_off = [error + ATTENTION_LAG_S for error in errors]
    rows.append(summary("Adapt, without the lag correction", corrected_off, n_words, elapsed, audio_s))

    gap = np.zeros(int(GAP_S * SAMPLE_RATE), dtype=np.float32)
    pieces, reference, offset = [], [], GAP_S
    for _ in range(2):
        for _, audio, words in items:
            pieces += [gap, audio]
            reference += [dict(word, start=word["start"] + offset) for word in words]
            offset += audio.size / SAMPLE_RATE + GAP_S
    long_audio = np.concatenate(pieces + [gap])
    started = time.perf_counter()
    result = align_transcript(long_audio, " ".join(word["word"] for word in reference), engine)
    elapsed = time.perf_counter() - started
    rows.append(summary(f"Adapt, one {long_audio.size / SAMPLE_RATE:.0f}-s recording ({len(result.utterances)} "
                        f"utterances)", start_errors(result.words, reference), len(reference), elapsed,
                        long_audio.size / SAMPLE_RATE))

    if not args.no_peer:
        from faster_whisper import WhisperModel

        model = WhisperModel(str(bundled_model_path()), device="cpu", compute_type="int8", cpu_threads=args.threads)
        started, errors = time.perf_counter(), []
        for _, audio, words in items:
            segments, _ = model.transcribe(audio, word_timestamps=True, beam_size=5, language="en")
            recognized = [word for segment in segments for word in segment.words]

            class Timed:  # faster-whisper's Word: .word, .start
                def __init__(self, word):
                    self.text, self.start = word.word, word.start

            errors += start_errors([Timed(word) for word in recognized], words, matched_only=True)
        elapsed = time.perf_counter() - started
        rows.append(summary("faster-whisper transcribe(word_timestamps=True)", errors, n_words, elapsed, audio_s))

    print(f"realspeech/align: {len(items)} utterances, {n_words} words, {audio_s:.1f} s; tiny.en int8, "
          f"{args.threads} threads; ATTENTION_LAG_S = {ATTENTION_LAG_S * 1000:.0f} ms\n")
    print("| system | words scored | median abs start error (ms) | p90 (ms) | within 100 ms | signed median (ms) "
          "| RTF |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if args.calibrate:
        calibrate(engine, args.calibrate)


def calibrate(engine, n_calls: int) -> None:
    """Whole generated calls aligned against their exact word times; scores of right vs wrong transcripts."""
    from adapt_server.audio.decode import decode_audio
    from adapt_server.intake.alignment import align_transcript
    from adapt_server.sampledata import generate_calls

    with tempfile.TemporaryDirectory() as folder:
        calls = generate_calls(folder, n_calls=n_calls)
        audios, texts, truths = [], [], []
        for call in calls:
            audios.append(decode_audio(call.audio_path).mono)
            texts.append(" ".join(segment["text"] for segment in json.loads(call.transcript_path.read_text())["segments"]))
            document = json.loads((Path(folder) / "truth" / f"{call.id}.words.json").read_text())
            truths.append([{"word": word["word"], "start": word["start"]} for turn in document["turns"]
                           for word in turn["words"]])
        errors, right, wrong, started = [], [], [], time.perf_counter()
        for index, (audio, text, truth) in enumerate(zip(audios, texts, truths)):
            result = align_transcript(audio, text, engine)
            errors += start_errors(result.words, truth)
            right.append(result.score)
            wrong.append(align_transcript(audio, texts[(index + 1) % len(texts)], engine).score)
        audio_s = sum(audio.size for audio in audios) / SAMPLE_RATE
        print(f"\ngenerated calls: {n_calls} ({audio_s:.0f} s), exact word times")
        print("| system | words scored | median abs start error (ms) | p90 (ms) | within 100 ms | signed median (ms) "
              "| RTF |")
        print("|---|---|---|---|---|---|---|")
        print(summary("Adapt align_transcript, whole calls", errors, len(errors),
                      (time.perf_counter() - started) / 2, audio_s))
        print(f"\nscore, correct transcript: {', '.join(f'{s:.2f}' for s in right)} (median {statistics.median(right):.2f})"
              f"\nscore, another call's transcript: {', '.join(f'{s:.2f}' for s in wrong)} "
              f"(median {statistics.median(wrong):.2f})")


if __name__ == "__main__":
    main()
