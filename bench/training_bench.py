"""Seconds per training step of each Adapt strategy against a plain transformers Seq2SeqTrainer step on the
same batch and hardware, as a ratio, plus peak memory.

Every case runs in its own process (peak RSS is per process), on the same batch of generated-call utterances
(whisper tiny.en imported from the bundled CTranslate2 model), with the same torch thread count.
Run: .venv/bin/python bench/training_bench.py [--batch 8] [--steps 4] [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import statistics
import tempfile
import time
from pathlib import Path

# case -> Adapt hyperparameters (the peer, seq2seq_trainer, is transformers' own loop on the same batch)
ADAPT_CASES = {
    "full": {"strategy": "full"},
    "frozen_encoder": {"strategy": "frozen_encoder"},
    # the flow test's setting: the top two encoder blocks train on cached states, distilled from the base
    "frozen_encoder_top2_kd": {"strategy": "frozen_encoder", "trained_encoder_layers": 2,
                               "distillation_weight": 0.5, "distillation_tokens": "base_correct"},
    "lora": {"strategy": "lora"},
}
CASES = ("seq2seq_trainer", *ADAPT_CASES)


def _items(batch: int):
    from adapt_server.sampledata.generate import generate_calls
    from adapt_server.training.sample_items import call_items
    folder = Path(tempfile.mkdtemp(prefix="training-bench-"))
    return call_items(generate_calls(folder, n_calls=2, split="train"), max_items=batch)


def _case(name: str, batch: int, steps: int, threads: int, queue) -> None:
    import torch
    torch.set_num_threads(threads)
    from adapt_server.models.bundled import bundled_model_path
    from adapt_server.training.ct2_import import import_base_model
    from adapt_server.training.data import collate, featurize
    from adapt_server.training.hyperparameters import validate_hyperparameters
    from adapt_server.training.labels import special_tokens
    from adapt_server.training.trainer import Trainer
    imported = import_base_model(bundled_model_path())
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    examples = featurize(_items(batch), imported.tokenizer, tokens, 80, 0.5, seed=0)
    times: list[float] = []
    encoder_cache_s = 0.0
    if name == "seq2seq_trainer":
        from transformers import Seq2SeqTrainer, Seq2SeqTrainingArguments, TrainerCallback

        class Timer(TrainerCallback):
            def on_step_begin(self, *args, **kwargs):
                self.started = time.perf_counter()

            def on_step_end(self, *args, **kwargs):
                times.append(time.perf_counter() - self.started)

        class Batches(torch.utils.data.Dataset):
            def __len__(self):
                return len(examples)

            def __getitem__(self, index):
                return examples[index]

        def collator(chunk):
            batch_tensors = collate(chunk, tokens.eot)
            return {"input_features": batch_tensors["input_features"],
                    "decoder_input_ids": batch_tensors["decoder_input_ids"], "labels": batch_tensors["labels"]}

        args = Seq2SeqTrainingArguments(output_dir=tempfile.mkdtemp(), per_device_train_batch_size=batch,
                                        max_steps=steps, learning_rate=1e-5, report_to=[], save_strategy="no",
                                        logging_strategy="no", use_cpu=True, dataloader_num_workers=0,
                                        remove_unused_columns=False)
        Seq2SeqTrainer(model=imported.model, args=args, train_dataset=Batches(), data_collator=collator,
                       callbacks=[Timer()]).train()
    else:
        hp = validate_hyperparameters({**ADAPT_CASES[name], "batch_size": batch, "micro_batch_size": batch,
                                       "max_steps": steps, "epochs": 100, "warmup_steps": 0})
        trainer = Trainer(imported.model, hp, tokens.eot, Path(tempfile.mkdtemp()), checkpoint_interval_s=1e9)
        fit_started = time.perf_counter()
        trainer.fit(examples, [], name, on_step=lambda report: times.append(report.step_s))
        if hp.strategy == "frozen_encoder":  # the one-off encoder pass over the items, outside the steps
            encoder_cache_s = time.perf_counter() - fit_started - sum(times)
    queue.put({"case": name, "step_s": times, "encoder_cache_s": encoder_cache_s,
               "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    results = {}
    for name in CASES:
        queue = context.Queue()
        process = context.Process(target=_case, args=(name, args.batch, args.steps, args.threads, queue))
        process.start()
        results[name] = queue.get()
        process.join()
    peer = statistics.median(results["seq2seq_trainer"]["step_s"][1:] or results["seq2seq_trainer"]["step_s"])
    print(f"batch {args.batch}, {args.steps} steps, {args.threads} threads; median s/step (first step excluded)")
    for name in CASES:
        steps = results[name]["step_s"]
        median = statistics.median(steps[1:] or steps)
        cache_s = results[name]["encoder_cache_s"]
        extra = f", encoder cache {cache_s:.1f} s" if cache_s else ""
        print(f"{name:22s} {median:7.2f} s/step  x{peer / median:5.2f} vs Seq2SeqTrainer  "
              f"peak RSS {results[name]['peak_rss_mb']:7.0f} MB{extra}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
