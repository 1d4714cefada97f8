"""Trains a tiny Cohere Transcribe checkpoint a few steps (checkpoint after every step) and saves the trained
parameters. Run as a subprocess by test_family_finetune.py: python family_resume_worker.py BASE ITEMS.npz WORK OUT.pt
"""
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

os.environ["HF_HUB_OFFLINE"] = "1"

from adapt_server.engines.transformers import load_transformers_recognizer  # noqa: E402
from adapt_server.training.family_adapter import FamilyLossAdapter  # noqa: E402
from adapt_server.training.family_examples import build_examples  # noqa: E402
from adapt_server.training.hyperparameters import validate_hyperparameters  # noqa: E402
from adapt_server.training.strategies import trainable_state  # noqa: E402
from adapt_server.training.trainer import Trainer  # noqa: E402

HYPERPARAMETERS = {"strategy": "full", "batch_size": 2, "micro_batch_size": 1, "max_steps": 5, "epochs": 10,
                   "learning_rate": 3e-3, "warmup_steps": 1, "seed": 3}


def main(base: str, items_path: str, work_dir: str, out_path: str) -> None:
    torch.set_num_threads(2)
    data = np.load(items_path, allow_pickle=False)
    items = [(data[f"audio{i}"], str(data[f"text{i}"])) for i in range(int(data["n"]))]
    hp = validate_hyperparameters(HYPERPARAMETERS)
    recognizer = load_transformers_recognizer("base", Path(base), dtype="float32", threads=2)
    tokenizer = recognizer.codec.tokenizer
    examples = build_examples("cohere_asr", recognizer.codec.processor, tokenizer, recognizer.model.config, items, "en")
    trainer = Trainer(recognizer.model, hp, tokenizer.pad_token_id, Path(work_dir) / "checkpoints",
                      checkpoint_every_steps=1, adapter=FamilyLossAdapter("cohere_asr", tokenizer.pad_token_id))

    def slow_down(report) -> None:  # leaves the killer time to strike between checkpoints
        print(f"step {report.step}", flush=True)
        time.sleep(0.5)

    result = trainer.fit(examples, [], "family-resume-test", on_step=slow_down)
    torch.save({"parameters": trainable_state(trainer.module), "resumed_from": result.resumed_from_step,
                "losses": list(result.losses)}, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:5])
