"""Trains a few steps of a tiny run (checkpoint after every step) and saves the final trained parameters.

Run as a subprocess by test_resume.py: python resume_worker.py ITEMS.npz WORK_DIR OUT.pt
"""
import sys
import time
from pathlib import Path

import numpy as np
import torch

from adapt_server.models.bundled import bundled_model_path
from adapt_server.training.ct2_import import import_base_model
from adapt_server.training.data import featurize
from adapt_server.training.hyperparameters import validate_hyperparameters
from adapt_server.training.labels import special_tokens
from adapt_server.training.strategies import trainable_state
from adapt_server.training.trainer import Trainer

# the flow test's kind of run: a trained top encoder block over cached states, distillation from the base model,
# a micro-batch of 4, two threads (with these, two processes differed in the 7th digit of the third step's loss
# before training ran under torch's deterministic algorithms; micro-batches of 2 did not show it)
HYPERPARAMETERS = {"strategy": "frozen_encoder", "trained_encoder_layers": 1, "distillation_weight": 0.5,
                   "distillation_tokens": "base_correct", "batch_size": 4, "micro_batch_size": 4, "max_steps": 4,
                   "learning_rate": 1e-4, "warmup_steps": 1, "seed": 7, "epochs": 10}


def main(items_path: str, work_dir: str, out_path: str) -> None:
    torch.set_num_threads(2)
    data = np.load(items_path, allow_pickle=False)
    items = [(data[f"audio{i}"], str(data[f"text{i}"])) for i in range(int(data["n"]))]
    hp = validate_hyperparameters(HYPERPARAMETERS)
    imported = import_base_model(bundled_model_path())
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    examples = featurize(items, imported.tokenizer, tokens, 80, hp.timestamp_ratio, hp.seed)
    trainer = Trainer(imported.model, hp, tokens.eot, Path(work_dir) / "checkpoints", checkpoint_every_steps=1)

    def slow_down(report) -> None:  # leaves the killer time to strike between checkpoints
        print(f"step {report.step}", flush=True)
        time.sleep(0.5)

    result = trainer.fit(examples, [], "resume-test", on_step=slow_down)
    torch.save({"parameters": trainable_state(trainer.module), "resumed_from": result.resumed_from_step,
                "losses": list(result.losses)}, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:4])
