"""One process of the data-parallel test (test_distributed.py): trains a tiny run and saves its parameters.

python distributed_worker.py ITEMS.npz OUT.pt single            one process, the whole batch
python distributed_worker.py ITEMS.npz OUT.pt RANK WORLD PORT   rank RANK of WORLD over gloo on 127.0.0.1:PORT
Rank 0 trains through Trainer with a Collective (as the job's rank 0 does); the other ranks run
training.distributed.follow, as a fine-tune's other ranks do. Only rank 0 and "single" write OUT.
"""
import sys
from pathlib import Path

import numpy as np
import torch

from adapt_server.models.bundled import bundled_model_path
from adapt_server.training.ct2_import import import_base_model
from adapt_server.training.data import featurize
from adapt_server.training.distributed import Collective, Rendezvous, follow
from adapt_server.training.hyperparameters import validate_hyperparameters
from adapt_server.training.labels import special_tokens
from adapt_server.training.strategies import trainable_state
from adapt_server.training.trainer import Trainer

# 4 micro-batches of 1 per step: 2 per rank with two ranks; a trained top encoder block over cached states
HYPERPARAMETERS = {"strategy": "frozen_encoder", "trained_encoder_layers": 1, "batch_size": 4,
                   "micro_batch_size": 1, "max_steps": 3, "learning_rate": 1e-4, "warmup_steps": 1, "seed": 7,
                   "epochs": 10, "spec_augment": False}


def main(items_path: str, out_path: str, *role: str) -> None:
    torch.set_num_threads(1)
    data = np.load(items_path, allow_pickle=False)
    items = [(data[f"audio{i}"], str(data[f"text{i}"])) for i in range(int(data["n"]))]
    hp = validate_hyperparameters(HYPERPARAMETERS)
    if role and role[0] != "single" and int(role[0]) > 0:
        follow(Rendezvous("127.0.0.1", int(role[2]), int(role[1]), "gloo", 120), int(role[0]), bundled_model_path(),
               items, [], hp)
        return
    imported = import_base_model(bundled_model_path())
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    examples = featurize(items, imported.tokenizer, tokens, 80, hp.timestamp_ratio, hp.seed)
    collective = None
    if role[0] != "single":
        collective = Collective(Rendezvous("127.0.0.1", int(role[2]), int(role[1]), "gloo", 120), 0)
    trainer = Trainer(imported.model, hp, tokens.eot, Path(out_path).with_suffix(".checkpoints"),
                      collective=collective)
    result = trainer.fit(examples, [], "distributed-test")
    if collective is not None:
        collective.close()
    torch.save({"parameters": trainable_state(trainer.module), "losses": list(result.losses)}, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:])
