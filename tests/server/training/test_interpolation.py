"""Choosing the WiSE-FT share: the pure rule (best domain WER within the forgetting budget), the held-out
slice, and the grid scored on the real whisper-tiny.en (base weights vs weights that forgot)."""
from __future__ import annotations

import math

import pytest
import torch

from adapt_server.training.interpolation import (MAX_SLICE, MIN_TRAIN_ITEMS, InterpolationPoint,
                                                 choose_interpolation, corpus_wer, same_encoder, score_grid,
                                                 split_selection_slice)


def points(*rows):
    return [InterpolationPoint(share, domain, general) for share, domain, general in rows]


def test_the_best_domain_wer_within_the_budget_is_kept_not_the_best_overall():
    curve = points((0, 0.40, 0.100), (0.25, 0.33, 0.100), (0.5, 0.25, 0.104), (0.75, 0.20, 0.110), (1.0, 0.18, 0.130))
    choice = choose_interpolation(curve, budget=0.05)
    assert choice.share == 0.5 and choice.within_budget  # 0.75 and 1.0 forget more than 5%
    assert "share 0.5" in choice.reason and "+4.0%" in choice.reason
    data = choice.to_dict()
    assert data["chosen_share"] == 0.5 and data["domain_wer"] == 0.25 and data["general_wer"] == 0.104
    assert [p["share"] for p in data["curve"]] == [0, 0.25, 0.5, 0.75, 1.0]
    assert data["curve"][-1]["general_regression"] == pytest.approx(0.3)
    assert choose_interpolation(curve, budget=0.5).share == 1.0  # a looser budget keeps the whole change


def test_ties_go_to_the_smaller_change_and_an_improvement_on_general_speech_counts_as_within():
    curve = points((0, 0.4, 0.10), (0.5, 0.3, 0.09), (1.0, 0.3, 0.08))
    assert choose_interpolation(curve, budget=0.0).share == 0.5


def test_when_every_share_forgets_the_least_regressing_is_kept_and_said_so():
    curve = points((0, 0.4, 0.10), (0.5, 0.3, 0.12), (1.0, 0.2, 0.20))
    choice = choose_interpolation(curve, budget=0.05)
    assert choice.share == 0.5 and not choice.within_budget
    assert "no share kept general speech within the forgetting budget 5%" in choice.reason


def test_a_base_with_no_general_errors_makes_any_error_an_infinite_regression():
    choice = choose_interpolation(points((0, 0.4, 0.0), (0.5, 0.3, 0.0), (1.0, 0.1, 0.01)), budget=0.05)
    assert choice.share == 0.5 and choice.to_dict()["curve"][2]["general_regression"] is None


def test_the_rule_needs_the_base_point():
    with pytest.raises(ValueError, match="share 0"):
        choose_interpolation(points((0.5, 0.3, 0.1), (1.0, 0.2, 0.1)), budget=0.05)


def test_the_held_out_slice_is_seeded_bounded_and_absent_for_small_sets():
    assert split_selection_slice(MIN_TRAIN_ITEMS - 1, 0) == (list(range(MIN_TRAIN_ITEMS - 1)), [])
    kept, held = split_selection_slice(100, 3)
    assert len(held) == 15 and sorted(kept + held) == list(range(100)) and not set(kept) & set(held)
    assert split_selection_slice(100, 3) == (kept, held) and split_selection_slice(100, 4)[1] != held
    assert len(split_selection_slice(1000, 0)[1]) == MAX_SLICE


def test_corpus_wer_uses_the_evaluation_normalizer():
    assert corpus_wer(["Hello, World!", "good morning"], ["hello world", "good"]) == pytest.approx(1 / 4)
    assert math.isnan(corpus_wer([""], [""]))


@pytest.mark.slow  # two CTranslate2 exports of whisper-tiny.en and their decodes (about 30 s on 2 idle cores)
def test_the_grid_scores_each_share_as_served_the_base_and_a_model_that_forgot(imported, fresh_model, call_items,
                                                                              speech_clip, tmp_path):
    """share 0 is the base; share 1 is the base with its decoder's weights scrambled (a model that forgot):
    each share is exported to CTranslate2 and decoded by WhisperEngine (the encoder unchanged, so its outputs are
    shared); general-speech WER must rise, and the rule keeps the only share while saying it forgets."""
    from adapt_server.training import strategies
    base = strategies.base_weights(fresh_model)
    generator = torch.Generator().manual_seed(0)
    forgot = {name: tensor + (0.5 * tensor.std() * torch.randn(tensor.shape, generator=generator)
                              if name.startswith("model.decoder.layers") else 0) for name, tensor in base.items()}
    domain = call_items[1][:1]
    curve = score_grid(fresh_model, base, forgot, domain, [speech_clip], imported.tokenizer, (1.0,), tmp_path / "w")
    assert [p.share for p in curve] == [0.0, 1.0]
    assert curve[0].general_wer < 0.2  # the base transcribes real speech
    assert curve[1].general_wer > curve[0].general_wer + 0.3  # the scrambled decoder does not
    choice = choose_interpolation(curve, budget=0.05)
    assert choice.share == 1.0 and not choice.within_budget  # the only share: kept, and said to forget
    assert not (tmp_path / "w").exists()  # the scratch exports are removed


def test_the_encoder_is_shared_only_when_bitwise_equal(fresh_model):
    from adapt_server.training import strategies
    base = strategies.base_weights(fresh_model)
    decoder_only = {name: tensor + 1 if name.startswith("model.decoder.") else tensor for name, tensor in base.items()}
    assert same_encoder(base, decoder_only)
    name = next(name for name in base if name.startswith("model.encoder.layers"))
    assert not same_encoder(base, {**decoder_only, name: base[name] + 1e-7})


def test_selection_is_the_default_and_a_given_share_turns_it_off():
    from adapt_server.training.hyperparameters import validate_hyperparameters
    assert validate_hyperparameters({}).select_interpolation
    given = validate_hyperparameters({"weight_interpolation": 0.45})
    assert not given.select_interpolation and given.weight_interpolation == 0.45
    assert validate_hyperparameters(given.to_dict()) == given  # stored and validated again in the job: the same
    both = validate_hyperparameters({"weight_interpolation": 0.45, "select_interpolation": True})
    assert both.select_interpolation  # then 0.45 joins the grid
