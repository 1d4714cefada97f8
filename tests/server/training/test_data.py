import numpy as np
import pytest
import torch

from adapt_server.errors import InvalidArgument
from adapt_server.training.data import check_items, collate, featurize, plan_batches, spec_augment
from adapt_server.training.features import training_features
from adapt_server.training.hyperparameters import validate_hyperparameters
from adapt_server.training.labels import IGNORE, label_sequence, special_tokens, speech_end_s


def test_features_are_the_serving_front_end_padded_to_30s():
    from adapt_kernels.mel import log_mel_spectrogram
    clip = np.random.default_rng(0).normal(0, 0.1, 16000 * 3).astype(np.float32)
    features = training_features(clip)
    assert features.shape == (80, 3000) and features.dtype == np.float32
    # the engine featurizes a 30-s window exactly so (engines/whisper.py _encode)
    assert np.array_equal(features, log_mel_spectrogram(clip, 80, padding=480000 - clip.size))
    with pytest.raises(ValueError, match="30 s"):
        training_features(np.zeros(480001, np.float32))


def test_labels_with_and_without_timestamps(imported):
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    clip = np.concatenate([np.random.default_rng(1).normal(0, 0.1, 16000 * 2), np.zeros(8000)]).astype(np.float32)
    assert speech_end_s(clip) == pytest.approx(2.1, abs=0.03)
    inputs, targets = label_sequence(imported.tokenizer, tokens, "Hello there.", clip, with_timestamps=True)
    assert inputs[:2] == [tokens.sot, tokens.timestamp_begin]
    assert targets[-2] == tokens.timestamp_begin + 105 and targets[-1] == tokens.eot  # <|2.10|>
    assert len(inputs) == len(targets) and IGNORE not in targets
    inputs, targets = label_sequence(imported.tokenizer, tokens, "Hello there.", clip, with_timestamps=False)
    assert inputs[:2] == [tokens.sot, tokens.no_timestamps]
    assert targets[0] == IGNORE and targets[-1] == tokens.eot  # <|notimestamps|> is given, never learned
    assert imported.tokenizer.decode(targets[1:-1]) == " Hello there."


def test_batch_plan_is_a_function_of_the_seed():
    hp = validate_hyperparameters({"batch_size": 4, "epochs": 2, "seed": 3, "mixin_ratio": 0.25})
    plan = plan_batches(10, 5, hp)
    assert plan.steps_per_epoch == 4 and plan.total_steps == 8  # 3 domain + 1 mix-in per step
    assert plan == plan_batches(10, 5, hp)
    first_epoch = [i for domain, _ in plan.steps[:4] for i in domain]
    assert sorted(first_epoch) == list(range(10))
    assert all(len(mixin) == 1 for _, mixin in plan.steps)
    other = plan_batches(10, 5, validate_hyperparameters({"batch_size": 4, "epochs": 2, "seed": 4}))
    assert [d for d, _ in other.steps] != [d for d, _ in plan.steps]
    capped = plan_batches(10, 0, validate_hyperparameters({"batch_size": 4, "epochs": 5, "max_steps": 3}))
    assert capped.total_steps == 3 and all(not mixin for _, mixin in capped.steps)


def test_collate_pads_and_spec_augment_is_seeded(imported, call_items):
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    examples = featurize(call_items[0][:2], imported.tokenizer, tokens, 80, 0.5, seed=0)
    batch = collate(examples, tokens.eot)
    assert batch["input_features"].shape == (2, 80, 3000)
    assert batch["decoder_input_ids"].shape == batch["labels"].shape
    masked = spec_augment(batch["input_features"], [e.frames for e in examples], seed=0, step=1)
    again = spec_augment(batch["input_features"], [e.frames for e in examples], seed=0, step=1)
    assert torch.equal(masked, again) and not torch.equal(masked, batch["input_features"])


def test_bad_items_name_the_item():
    with pytest.raises(InvalidArgument, match=r"train_items\[1\] has an empty transcript"):
        check_items([(np.zeros(160, np.float32), "a"), (np.zeros(160, np.float32), " ")], "train_items")
    with pytest.raises(InvalidArgument, match="at most 30 s"):
        check_items([(np.zeros(16000 * 31, np.float32), "a")], "train_items")
    with pytest.raises(InvalidArgument, match="mono float"):
        check_items([(np.zeros((2, 160), np.float32), "a")], "holdout_items")
