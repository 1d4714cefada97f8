"""Benchmark: Adapt's batch transcription vs faster-whisper (sequential and batched) on real speech, for
whisper-tiny.en and multilingual whisper-base (the two bundled models), and their WER side by side.

    .venv/bin/python bench/asr_bench.py                       # both models, beam 5, int8, all cores, word times
    .venv/bin/python bench/asr_bench.py --models base --repeats 3 --no-word-timestamps

Corpus: ../shared/realspeech/asr (39 utterances, 181 s, references in manifest.jsonl), decoded with
`adapt_server.audio.decode.decode_audio`; the bench exits with a message when it is absent.

What is timed, from one process, in one run (same model files, beam size, compute type, threads):
- Adapt:               ``WhisperEngine.transcribe_batch(all audios, DecodeOptions(beam_size=B), batch_size=N)``
- faster-whisper seq.: ``WhisperModel(...).transcribe(audio, beam_size=B, language="en")`` file after file
                       (its defaults otherwise: no VAD, timestamp tokens, temperature fallback)
- faster-whisper batch:``BatchedInferencePipeline(model).transcribe(audio, beam_size=B, language="en",
                       batch_size=N)`` file after file (its defaults: VAD chunks, no timestamp tokens)
Word timestamps are requested from all three, or from none (--no-word-timestamps). Most of Adapt's lead
comes from encoding each window with 10 s of padding instead of a full 30 s (DecodeOptions.
encoder_padding_s); --ablation adds a row with full 30-s windows to show it.
Threads: CTranslate2 gets --threads intra-op threads in every system (faster-whisper's cpu_threads),
numba and torch the same, BLAS 1 (``adapt_kernels.threads.pin_threads``). Each system runs once untimed on
the first file (model load, compilation), then --repeats timed runs, interleaved (A B C A B C ...) so that
load from other processes on a shared machine hits all of them alike; the table shows medians.
Throughput is audio seconds per wall second; ratios are Adapt's throughput over each peer's, for the same model.
whisper-base is decoded in English (language="en") by all three, as tiny.en; it is the CTranslate2 model the
whisper-base extra ships (adapt_server/models/whisper_base.py assembles it), so both systems load the same files.
WER: corpus WER (jiwer) after Whisper's English text normalizer (transformers' EnglishTextNormalizer with
the openai spelling map shipped by the `whisper-normalizer` package).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from adapt_kernels.threads import ThreadBudget, available_cores, pin_threads

REPO = Path(__file__).resolve().parents[1]
REALSPEECH_ASR = REPO / ".." / "shared" / "realspeech" / "asr"


@dataclass(frozen=True)
class Utterance:
    id: str
    audio: np.ndarray  # float32 (n,), 16 kHz
    reference: str


@dataclass(frozen=True)
class Outcome:
    name: str
    seconds: list[float]  # wall time of each timed run
    hypotheses: list[str]  # of the last run


def load_corpus(folder: Path) -> list[Utterance]:
    from adapt_server.audio.decode import decode_audio

    manifest = folder / "manifest.jsonl"
    items = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Utterance(item["id"], decode_audio(folder.parent / item["audio"]).mono, item["text"]) for item in items]


def english_normalizer() -> Callable[[str], str]:
    from adapt_server.scoring.text import whisper_english_normalizer
    return whisper_english_normalizer()


def corpus_wer(references: list[str], hypotheses: list[str], normalize: Callable[[str], str]) -> float:
    import jiwer

    return jiwer.wer([normalize(text) for text in references], [normalize(text) for text in hypotheses])


def adapt_engine(model_dir: Path, model_id: str, args):
    from adapt_server.engines.whisper import WhisperEngine

    budget = ThreadBudget(numba=args.threads, blas=1, torch=args.threads, ctranslate2_intra=args.threads)
    return WhisperEngine(model_dir, model_id, compute_type=args.compute_type, threads=budget)


def model_dirs(names: list[str]) -> dict[str, Path]:
    """model id -> its CTranslate2 directory, for the bundled models asked for."""
    from adapt_server.models.bundled import bundled_model_path
    from adapt_server.models.whisper_base import assemble_whisper_base, default_cache_root

    known = {"tiny.en": ("whisper-tiny.en", bundled_model_path),
             "base": ("whisper-base", lambda: assemble_whisper_base(default_cache_root(REPO / "adapt-data")))}
    return {known[name][0]: known[name][1]() for name in names}


def run_adapt(engine, args, full_windows: bool = False) -> Callable[[list[np.ndarray]], list[str]]:
    from adapt_server.engines.options import DecodeOptions

    options = DecodeOptions(beam_size=args.beam_size, word_timestamps=args.word_timestamps, language="en")
    if full_windows:
        options = dataclasses.replace(options, encoder_padding_s=None)

    def transcribe(batch: list[np.ndarray]) -> list[str]:
        return [result.text for result in engine.transcribe_batch(batch, options, batch_size=args.batch_size)]

    return transcribe


def faster_whisper_model(model_dir: Path, args):
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir), device="cpu", compute_type=args.compute_type, cpu_threads=args.threads)


def run_faster_whisper(model, args) -> Callable[[list[np.ndarray]], list[str]]:
    def transcribe(batch: list[np.ndarray]) -> list[str]:
        texts = []
        for audio in batch:
            segments, _ = model.transcribe(audio, beam_size=args.beam_size, language="en",
                                           word_timestamps=args.word_timestamps)
            texts.append("".join(segment.text for segment in segments).strip())
        return texts

    return transcribe


def run_faster_whisper_batched(model, args) -> Callable[[list[np.ndarray]], list[str]]:
    from faster_whisper import BatchedInferencePipeline

    pipeline = BatchedInferencePipeline(model)

    def transcribe(batch: list[np.ndarray]) -> list[str]:
        texts = []
        for audio in batch:
            segments, _ = pipeline.transcribe(audio, beam_size=args.beam_size, language="en",
                                              batch_size=args.batch_size, word_timestamps=args.word_timestamps)
            texts.append("".join(segment.text for segment in segments).strip())
        return texts

    return transcribe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=available_cores(), help="CPU threads for every system")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--batch-size", type=int, default=8, help="Adapt's and BatchedInferencePipeline's")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs per system (median reported)")
    parser.add_argument("--no-word-timestamps", dest="word_timestamps", action="store_false")
    parser.add_argument("--ablation", action="store_true",
                        help="also time Adapt with encoder_padding_s=None (full 30-s windows, as the peers)")
    parser.add_argument("--corpus", type=Path, default=REALSPEECH_ASR)
    parser.add_argument("--models", default="tiny.en,base", help="comma-separated: tiny.en, base")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"{args.corpus} has no manifest.jsonl: the realspeech corpus is absent, nothing to measure")
        return 1
    pin_threads(numba=args.threads, blas=1, torch=args.threads)
    corpus = load_corpus(args.corpus.resolve())
    audios = [utterance.audio for utterance in corpus]
    audio_s = sum(audio.size for audio in audios) / 16000
    normalize = english_normalizer()
    references = [utterance.reference for utterance in corpus]
    print(f"corpus: {len(corpus)} utterances, {audio_s:.1f} s of audio")
    print(f"beam {args.beam_size}, compute type {args.compute_type}, {args.threads} threads, batch size "
          f"{args.batch_size}, word timestamps {'on' if args.word_timestamps else 'off'}, "
          f"{args.repeats} timed run(s) each, load average {os.getloadavg()[0]:.2f}")
    adapt_wer: dict[str, float] = {}
    for model_id, model_dir in model_dirs(args.models.split(",")).items():
        shared_model = faster_whisper_model(model_dir, args)
        engine = adapt_engine(model_dir, model_id, args)
        systems = {
            "Adapt transcribe_batch": run_adapt(engine, args),
            "faster-whisper WhisperModel (sequential)": run_faster_whisper(shared_model, args),
            "faster-whisper BatchedInferencePipeline": run_faster_whisper_batched(shared_model, args),
        }
        if args.ablation:
            systems["Adapt, full 30-s encoder windows (ablation)"] = run_adapt(engine, args, full_windows=True)
        for transcribe in systems.values():  # untimed: loads, compilation, first-call allocations
            transcribe(audios[:1])
        seconds: dict[str, list[float]] = {name: [] for name in systems}
        hypotheses: dict[str, list[str]] = {}
        for _ in range(args.repeats):
            for name, transcribe in systems.items():
                started = time.perf_counter()
                hypotheses[name] = transcribe(audios)
                seconds[name].append(time.perf_counter() - started)
        adapt_name = next(iter(systems))
        adapt_throughput = audio_s / statistics.median(seconds[adapt_name])
        print(f"\nmodel {model_id} ({model_dir})")
        print(f"{'system':46s} {'wall s':>8s} {'audio s/s':>10s} {'Adapt x':>8s} {'WER':>7s} {'Adapt WER -':>11s}")
        wers = {name: corpus_wer(references, hypotheses[name], normalize) for name in systems}
        adapt_wer[model_id] = wers[adapt_name]
        for name in systems:
            wall = statistics.median(seconds[name])
            throughput = audio_s / wall
            print(f"{name:46s} {wall:8.2f} {throughput:10.1f} {adapt_throughput / throughput:8.2f} "
                  f"{wers[name]:7.4f} {wers[adapt_name] - wers[name]:+11.4f}")
        del engine, shared_model
    if len(adapt_wer) > 1:
        print("\nWER side by side (Adapt, same settings): " + ", ".join(f"{model} {wer:.4f}"
                                                                        for model, wer in adapt_wer.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
