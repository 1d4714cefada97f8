"""The training loop: deterministic under a seed, and each strategy trains what it says."""
import copy

import pytest
import torch

from adapt_server.errors import InvalidArgument
from adapt_server.training.data import featurize
from adapt_server.training.hyperparameters import validate_hyperparameters
from adapt_server.training.labels import special_tokens
from adapt_server.training.trainer import IGNORE, Trainer, distillation_sum


@pytest.fixture(scope="module")
def examples(imported, call_items):
    tokens = special_tokens(imported.tokenizer, multilingual=False)
    return featurize(call_items[0][:2], imported.tokenizer, tokens, 80, 0.5, seed=0), tokens


def _train(model, examples, tokens, tmp_path, **values):
    hp = validate_hyperparameters({"batch_size": 1, "micro_batch_size": 1, "epochs": 1, "warmup_steps": 0,
                                   "learning_rate": 1e-4, **values})
    trainer = Trainer(model, hp, tokens.eot, tmp_path / "ckpt", checkpoint_interval_s=1e9)
    reports = []
    result = trainer.fit(examples, [], "test", on_step=reports.append)
    return trainer, result, reports


@pytest.mark.slow  # two full fine-tunes (~15 s)
def test_full_fine_tune_is_deterministic_under_a_seed(imported, examples, tmp_path):
    items, tokens = examples
    first, result, reports = _train(copy.deepcopy(imported.model), items, tokens, tmp_path / "a", seed=5,
                                    strategy="full", spec_augment=True)
    second, again, _ = _train(copy.deepcopy(imported.model), items, tokens, tmp_path / "b", seed=5,
                              strategy="full", spec_augment=True)
    assert result.steps == 2 and result.losses == again.losses
    for (name, a), b in zip(first.module.named_parameters(), second.module.parameters()):
        assert torch.equal(a, b), name
    assert [r.step for r in reports] == [1, 2] and reports[-1].eta_s == 0
    assert reports[0].learning_rate == pytest.approx(1e-4) and reports[0].loss > 0
    base_encoder = imported.model.model.encoder.layers[0].fc1.weight
    assert not torch.equal(first.module.model.encoder.layers[0].fc1.weight, base_encoder)


def test_frozen_encoder_and_lora_train_only_their_parameters(imported, examples, tmp_path):
    items, tokens = examples
    frozen, _, _ = _train(copy.deepcopy(imported.model), items[:1], tokens, tmp_path / "f",
                          strategy="frozen_encoder")
    tuned = frozen.trained_model()
    assert torch.equal(tuned.model.encoder.layers[0].fc1.weight, imported.model.model.encoder.layers[0].fc1.weight)
    assert not torch.equal(tuned.model.decoder.layers[0].fc1.weight, imported.model.model.decoder.layers[0].fc1.weight)

    lora, result, _ = _train(copy.deepcopy(imported.model), items[:1], tokens, tmp_path / "l", strategy="lora",
                             lora_rank=4)
    trainable = [name for name, p in lora.module.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in name for name in trainable)
    merged = lora.trained_model()
    assert type(merged).__name__ == "WhisperForConditionalGeneration"
    assert torch.equal(merged.model.decoder.embed_tokens.weight, imported.model.model.decoder.embed_tokens.weight)
    assert not torch.equal(merged.model.encoder.layers[1].self_attn.q_proj.weight,
                           imported.model.model.encoder.layers[1].self_attn.q_proj.weight)


def test_the_encoder_split_at_any_block_gives_the_encoder_output(imported):
    """What trained_encoder_layers caches (the states below the top N blocks) plus the top N blocks and the
    final layer norm is exactly the encoder."""
    from adapt_server.training.strategies import encoder_below, encoder_top
    encoder = imported.model.model.encoder
    features = torch.randn(1, 80, 3000, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        whole = encoder(input_features=features).last_hidden_state
        for n_top in range(len(encoder.layers) + 1):
            assert torch.equal(encoder_top(encoder, encoder_below(encoder, features, n_top), n_top), whole), n_top


def test_trained_encoder_layers_train_the_top_blocks_only(imported, examples, tmp_path):
    items, tokens = examples
    trainer, _, _ = _train(copy.deepcopy(imported.model), items[:1], tokens, tmp_path / "t",
                           strategy="frozen_encoder", trained_encoder_layers=1)
    tuned, base = trainer.trained_model().model.encoder, imported.model.model.encoder
    assert not torch.equal(tuned.layers[-1].fc1.weight, base.layers[-1].fc1.weight)
    assert not torch.equal(tuned.layer_norm.weight, base.layer_norm.weight)
    assert torch.equal(tuned.layers[-2].fc1.weight, base.layers[-2].fc1.weight)
    assert torch.equal(tuned.conv1.weight, base.conv1.weight)
    with pytest.raises(InvalidArgument, match="encoder has 4 layers; use at most 4"):
        _train(copy.deepcopy(imported.model), items[:1], tokens, tmp_path / "x", strategy="frozen_encoder",
               trained_encoder_layers=5)


def test_weight_interpolation_moves_part_of_the_way_back_to_the_base(imported):
    from adapt_server.training.strategies import base_weights, interpolate_weights
    model = copy.deepcopy(imported.model)
    base = base_weights(model)
    assert "proj_out.weight" not in base  # tied to the embedding: interpolated once, not twice
    with torch.no_grad():
        model.model.decoder.embed_tokens.weight.add_(1.0)
    interpolate_weights(model, base, 0.25)
    moved = model.model.decoder.embed_tokens.weight - imported.model.model.decoder.embed_tokens.weight
    assert torch.allclose(moved, torch.full_like(moved, 0.25), atol=1e-5)
    assert model.proj_out.weight.data_ptr() == model.model.decoder.embed_tokens.weight.data_ptr()


@pytest.mark.slow  # three fine-tunes (~20 s)
def test_distillation_keeps_the_tuned_model_closer_to_the_base(imported, examples, tmp_path):
    """Learning without forgetting: with distillation_weight, the same steps move the decoder's predictions on
    the training tokens less far from the base model's (KL measured after training), and the teacher's
    weights never change."""
    from adapt_server.training.data import collate

    items, tokens = examples

    def kl_to_base(model) -> float:
        inputs = collate(items[:1], tokens.eot)
        mask = inputs["labels"] != -100
        with torch.no_grad():
            student = model(input_features=inputs["input_features"], decoder_input_ids=inputs["decoder_input_ids"])
            base = imported.model(input_features=inputs["input_features"],
                                  decoder_input_ids=inputs["decoder_input_ids"])
        return float(torch.nn.functional.kl_div(student.logits[mask].log_softmax(-1), base.logits[mask].log_softmax(-1),
                                                log_target=True, reduction="sum"))

    # (at the first step the KL's gradient is 0 - student and teacher agree - and Adam normalizes the rest
    # away: the runs differ from the second step on)
    plain, _, _ = _train(copy.deepcopy(imported.model), items, tokens, tmp_path / "p", strategy="frozen_encoder",
                         learning_rate=3e-4, epochs=3)
    distilled, result, _ = _train(copy.deepcopy(imported.model), items, tokens, tmp_path / "d",
                                  strategy="frozen_encoder", learning_rate=3e-4, epochs=3, distillation_weight=0.9)
    assert result.steps == 6 and result.losses[0] > 0
    assert kl_to_base(distilled.trained_model()) < 0.5 * kl_to_base(plain.trained_model())
    teacher = distilled._teacher.model.decoder.layers[0].fc1.weight
    assert torch.equal(teacher, imported.model.model.decoder.layers[0].fc1.weight)


def test_distillation_on_base_correct_tokens_leaves_the_base_models_mistakes_free():
    """KL(teacher || student) summed over target positions; "base_correct" keeps only those where the teacher's
    top token is the label."""
    teacher = torch.log(torch.tensor([[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]]))
    student = torch.log(torch.tensor([[[0.5, 0.25, 0.25], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8]]]))
    labels = torch.tensor([[0, 2, IGNORE]])  # the teacher is right at position 0, wrong at 1; 2 is no target

    def kl(position: int) -> float:
        p, q = teacher[0, position].exp(), student[0, position].exp()
        return float((p * (p.log() - q.log())).sum())

    assert float(distillation_sum(student, teacher, labels)) == pytest.approx(kl(0) + kl(1), rel=1e-5)
    assert float(distillation_sum(student, teacher, labels, "base_correct")) == pytest.approx(kl(0), rel=1e-5)
    nothing_right = torch.tensor([[1, 2, IGNORE]])
    assert float(distillation_sum(student, teacher, nothing_right, "base_correct")) == 0.0


class _StopAfter(Exception):
    pass


def test_tail_averaging_exports_the_mean_of_the_last_steps_and_survives_a_resume(imported, examples, tmp_path):
    items, tokens = examples
    hp = validate_hyperparameters({"batch_size": 1, "micro_batch_size": 1, "epochs": 2, "warmup_steps": 0,
                                   "learning_rate": 1e-3, "average_last_share": 0.5})  # 4 steps, the last 2 averaged
    trainer = Trainer(copy.deepcopy(imported.model), hp, tokens.eot, tmp_path / "a", checkpoint_every_steps=1)
    after_step = []
    trainer.fit(items, [], "test", on_step=lambda report: after_step.append(
        {name: p.detach().clone() for name, p in trainer.module.named_parameters() if p.requires_grad}))
    assert len(after_step) == 4
    final = {name: p for name, p in trainer.module.named_parameters() if p.requires_grad}
    for name, value in final.items():
        assert torch.allclose(value, (after_step[2][name] + after_step[3][name]) / 2, atol=1e-6), name
    assert not torch.equal(final["model.decoder.layers.0.fc1.weight"],
                           after_step[3]["model.decoder.layers.0.fc1.weight"]), "the average is not the last step"

    def stop_after_step_3(report):
        if report.step == 3:
            raise _StopAfter
    interrupted = Trainer(copy.deepcopy(imported.model), hp, tokens.eot, tmp_path / "b", checkpoint_every_steps=1)
    with pytest.raises(_StopAfter):
        interrupted.fit(items, [], "test", on_step=stop_after_step_3)
    resumed = Trainer(copy.deepcopy(imported.model), hp, tokens.eot, tmp_path / "b", checkpoint_every_steps=1)
    assert resumed.fit(items, [], "test").resumed_from_step == 3
    for name, value in resumed.module.named_parameters():
        if value.requires_grad:
            assert torch.allclose(value, final[name], atol=1e-6), f"{name}: the resumed average differs"
