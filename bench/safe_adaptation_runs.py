"""The docs' plain hyperparameters on a generated domain (the flow's by default; `--domain`), with the
safe-adaptation defaults (docs/training.md, "Safe adaptation: measured"): generated calls (8 train, 4 holdout:
unseen voices and sentences), whisper-tiny.en, only learning_rate / epochs / batch_size given, so
select_interpolation and the 5% forgetting budget apply.

For the base and each tuned model: holdout WER, WER on the shipped general-speech reference (12 clips), on the same
clips joined into 4 long-form windows of up to 28 s (a model that stops early in a long window) and, when
../shared/realspeech/asr is present, on all 39 of its utterances (the issue's measure), each with the paired
bootstrap 95% interval of tuned - base. WER: WhisperEngine int8, default decode options, Whisper normalizer.
Usage: python bench/safe_adaptation_runs.py OUT_DIR [--seed N] [--domain NAME] [--voices espeak|neural|mixed]
       [--only SETTING] [--hp NAME=JSON ...]
CTranslate2's sampling (the decoder's temperature fallback) is seeded before each model is scored, as the
evaluation job does: the same model on the same data scores the same in every run.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path
from adapt_server.sampledata.domains import DEFAULT_DOMAIN, DOMAIN_NAMES
from adapt_server.evaluation.job import SAMPLING_SEED
from adapt_server.sampledata.generate import ESPEAK, VOICE_OPTIONS, generate_calls
from adapt_server.sampledata.reference_speech import general_reference_items, long_form_windows
from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
from adapt_server.scoring.bootstrap import paired_bootstrap_ratio
from adapt_server.scoring.text import Normalizer
from adapt_server.training.hyperparameters import Hyperparameters
from adapt_server.training.job import run_fine_tune
from adapt_server.training.sample_items import call_items, call_windows

SETTINGS = {"docs 1e-5/3/16": {"learning_rate": 1e-5, "epochs": 3, "batch_size": 16},
            "stronger 5e-5/5/8": {"learning_rate": 5e-5, "epochs": 5, "batch_size": 8}}
REALSPEECH = Path(__file__).resolve().parents[1] / ".." / "shared" / "realspeech" / "asr"


def job_context(root: Path):
    from adapt_server.jobs.context import JobContext
    from adapt_server.store.db import connect, migrate, transaction
    from adapt_server.store.jobs import JobQueue
    db = connect(root / "jobs.sqlite3")
    migrate(db)
    queue = JobQueue(db)
    with transaction(db):
        queue.enqueue("fine_tune.run", f"bench-{time.time_ns()}", {})
    return JobContext(job=queue.claim("bench"), queue=queue, store=None, config=None)


def counts(engine, items) -> tuple[np.ndarray, np.ndarray]:
    import ctranslate2
    ctranslate2.set_random_seed(SAMPLING_SEED)  # each set decodes from the same sampling stream in every run
    hypotheses = [engine.transcribe(samples).text for samples, _ in items]
    scores = score_utterances([TranscribedUtterance(str(i), text, h) for i, ((_, text), h)
                               in enumerate(zip(items, hypotheses))], Normalizer("whisper_english"))
    return (np.array([s.word_errors for s in scores], float), np.array([s.ref_words for s in scores], float))


def versus(tuned, base) -> str:
    (e_t, n_t), (e_b, n_b) = tuned, base
    wer_t, wer_b = e_t.sum() / n_t.sum(), e_b.sum() / n_b.sum()
    d = paired_bootstrap_ratio(e_t, n_t, e_b, n_b)
    return (f"{wer_b:.4f} -> {wer_t:.4f} ({(wer_t - wer_b) / wer_b:+.1%} rel; diff CI "
            f"[{d.ci.low:+.4f}, {d.ci.high:+.4f}])")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0, help="the fine-tunes' seed (the data is seed 0 of the domain)")
    parser.add_argument("--domain", choices=DOMAIN_NAMES, default=DEFAULT_DOMAIN,
                        help="the generated calls' domain (adapt_server.sampledata.domains; default: the flow's)")
    parser.add_argument("--voices", choices=VOICE_OPTIONS, default=ESPEAK,
                        help="who speaks the generated calls (adapt_server.sampledata.generate; default espeak)")
    parser.add_argument("--only", choices=list(SETTINGS), help="run one setting (default: both)")
    parser.add_argument("--control", action="store_true", help="also score the base through the export path")
    parser.add_argument("--hp", action="append", default=[], metavar="NAME=JSON",
                        help="one more hyperparameter for every run (a candidate default), e.g. distillation_weight=0.5")
    args = parser.parse_args()
    extra = {name: json.loads(value) for name, _, value in (item.partition("=") for item in args.hp)}
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=args.out))
    train_calls = generate_calls(work / "train", n_calls=8, seed=0, split="train", domain=args.domain,
                                 voices=args.voices)
    long_form_s = float(extra.get("long_form_seconds", Hyperparameters().long_form_seconds))
    train = call_items(train_calls) + call_windows(train_calls, long_form_s)  # as the service gathers a dataset
    holdout = call_items(generate_calls(work / "holdout", n_calls=4, seed=0, split="holdout", domain=args.domain,
                                         voices=args.voices))
    sets = {"holdout": holdout, "general_reference": general_reference_items(),
            "long_form_windows": [(window.samples, window.text) for window in long_form_windows()]}
    if (REALSPEECH / "manifest.jsonl").is_file():
        rows = [json.loads(line) for line in (REALSPEECH / "manifest.jsonl").read_text().splitlines() if line.strip()]
        sets["realspeech_39"] = [(read_pcm16_wav(REALSPEECH / Path(r["audio"]).name)[0], r["text"]) for r in rows]
    long_form_note = f" ({long_form_s:g}-s long-form stretches included)" if long_form_s else ""
    print(f"{args.domain} ({args.voices} voices): {len(train)} train items{long_form_note}, {len(holdout)} holdout "
          "items", flush=True)
    base_engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en")
    base = {name: counts(base_engine, items) for name, items in sets.items()}
    report = {}
    if args.control:  # the base itself through the tuned models' export path (HF -> CTranslate2 float16, int8)
        from adapt_server.training.ct2_import import import_base_model
        from adapt_server.training.export import Ctranslate2Exporter, save_huggingface
        imported = import_base_model(bundled_model_path())
        save_huggingface(imported.model, imported.tokenizer, work / "control_hf")
        exported = Ctranslate2Exporter("float16").export(work / "control_hf", work / "control_ct2", force=True)
        control = WhisperEngine(exported.path, "control")
        report["base re-exported (share 0)"] = {name: versus(counts(control, items), base[name])
                                                for name, items in sets.items()}
        print("control", json.dumps(report["base re-exported (share 0)"], indent=1), flush=True)
    for label, hp in SETTINGS.items():
        if args.only and label != args.only:
            continue
        started = time.perf_counter()
        output = run_fine_tune(job_context(work), bundled_model_path(), "whisper-tiny.en", train, [],
                               {**hp, **extra, "seed": args.seed}, work / label.split()[0], export_formats=("ctranslate2",))
        engine = WhisperEngine(output.ctranslate2_dir, "tuned")
        tuned = {name: counts(engine, items) for name, items in sets.items()}
        selection = output.metrics.get("interpolation", {})
        report[label] = {"extra_hyperparameters": extra, "seconds": round(time.perf_counter() - started, 1), "train_seconds": output.metrics["train_seconds"],
                         "steps": output.metrics["steps"], "interpolation": selection,
                         **{name: versus(tuned[name], base[name]) for name in sets}}
        print(label, json.dumps(report[label], indent=1), flush=True)
    suffix = "".join((
        "" if args.domain == DEFAULT_DOMAIN else f"_{args.domain}",
        "" if args.voices == ESPEAK else f"_{args.voices}",
        f"_{args.only.split()[0]}" if args.only else "",
        *(f"_{k}-{v}" for k, v in extra.items())))
    (args.out / f"safe_adaptation_seed{args.seed}{suffix}.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
