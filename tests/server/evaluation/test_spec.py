"""Validation of evaluation requests: metric names, split, normalizer, primary metric, candidates and gates."""
from __future__ import annotations

import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.evaluation.spec import DEFAULT_METRICS, EvaluationSpec, parse_spec


def test_defaults_and_aliases():
    spec = parse_spec("ds_1", ["whisper-tiny.en"], [], "")
    assert (spec.metrics, spec.split, spec.primary, spec.normalizer) == (DEFAULT_METRICS, "all", "wer",
                                                                          "whisper_english")
    spec = parse_spec("ds_1", ["a", "b"], ["realtime_factor", "RTF", "cer"], "holdout")
    assert spec.metrics == ("rtf", "cer") and spec.primary == "rtf"  # no WER asked: the first metric ranks
    assert parse_spec("ds_1", ["a"], ["rtf"], "train", primary="wer").metrics == ("rtf", "wer")


def test_der_without_a_diarizer_is_accepted_and_noted_by_the_job():
    spec = parse_spec("ds_1", ["whisper-tiny.en"], ["wer", "diarization_error_rate", "realtime_factor"], "all")
    assert spec.metrics == ("wer", "der", "rtf") and spec.primary == "wer"  # the design notes' snippet


def test_diarizers_rank_on_der():
    spec = parse_spec("ds_1", ["adapt-diarizer"], ["diarization_error_rate"], "all")
    assert spec.primary == "der" and spec.diarizer_candidates == ("adapt-diarizer",) and spec.asr_candidates == ()
    mixed = parse_spec("ds_1", ["whisper-tiny.en", "adapt-diarizer"], ["wer", "der"], "all")
    assert mixed.primary == "wer"


def test_the_spec_round_trips_through_its_dict():
    spec = parse_spec("ds_1", ["a", "b"], ["wer"], "holdout", gates={
        "max_rtf": 0.5, "max_reference_regression": 0.05, "reference_dataset_id": "ds_ref", "reference_baseline": "c"})
    assert EvaluationSpec.from_dict(spec.to_dict()) == spec
    assert spec.reference_models == ("a", "b", "c")


@pytest.mark.parametrize("kwargs, message", [
    (dict(candidates=[]), "candidates must list at least one"),
    (dict(candidates=["a", "a"]), "candidates must be distinct"),
    (dict(metrics=["bleu"]), "unknown metric 'bleu'"),
    (dict(split="dev"), "split 'dev' is not one of train, holdout, all"),
    (dict(normalizer="lower"), "normalizer 'lower' is not one of"),
    (dict(metrics=["der"]), "add a diarizer candidate"),  # DER as the (only, so primary) metric of ASR models
    (dict(candidates=["adapt-diarizer"], metrics=["wer"]), "scored on diarization_error_rate"),
    (dict(candidates=["a", "adapt-diarizer"], metrics=["wer", "der"], primary="der"), "cannot rank"),
    (dict(gates={"max_rtf": -1}), "gates.max_rtf must be a finite number >= 0"),
    (dict(gates={"max_rtf": True}), "gates.max_rtf must be a finite number"),
    (dict(gates={"max_hallucination_rate": 2}), "fraction of utterances"),
    (dict(gates={"max_reference_regression": 0.05}), "needs gates.reference_baseline"),
    (dict(gates={"reference_baseline": "a"}), "only apply with gates.max_reference_regression"),
    (dict(gates={"max_latency": 1}), "unknown field"),
    (dict(gates={"max_reference_regression": 0.1, "reference_dataset_id": "r", "reference_baseline": "b",
                 "reference_metric": "rtf"}), "reference_metric must be wer or cer"),
])
def test_bad_requests_name_the_field(kwargs, message):
    arguments = dict(dataset_id="ds_1", candidates=["whisper-tiny.en"], metrics=["wer"], split="all")
    arguments.update(kwargs)
    with pytest.raises(InvalidArgument, match=message):
        parse_spec(**arguments)
