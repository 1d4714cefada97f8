"""The forgetting gate an evaluation gets without asking when a candidate is a fine-tune (pure spec logic), and
the general-speech reference as evaluation units."""
from __future__ import annotations

import pytest

from adapt_server.evaluation.spec import TunedCandidate, parse_spec, with_default_forgetting_gate
from adapt_server.sampledata.reference_speech import GENERAL_REFERENCE_ID

TUNED = "ft:whisper-tiny.en:abc123"


def spec(candidates, gates=None):
    return parse_spec("ds_calls", list(candidates), ["wer"], "holdout", gates=gates)


def test_a_tuned_model_against_its_base_gets_the_gate_on_the_shipped_reference():
    out = with_default_forgetting_gate(spec([TUNED, "whisper-tiny.en"]),
                                       {TUNED: TunedCandidate(TUNED, "whisper-tiny.en", 0.05)})
    assert out.gates.max_reference_regression == 0.05 and out.gates.reference_baseline == "whisper-tiny.en"
    assert out.reference_dataset_id == GENERAL_REFERENCE_ID and out.uses_general_reference
    assert set(out.reference_models) == {TUNED, "whisper-tiny.en"}
    assert "forgetting gate added by default" in out.default_forgetting_gate and "5%" in out.default_forgetting_gate


def test_the_base_runs_on_the_reference_even_when_it_is_not_a_candidate_and_the_team_reference_is_used():
    out = with_default_forgetting_gate(spec([TUNED]), {TUNED: TunedCandidate(TUNED, "whisper-tiny.en", 0.1, "ds_gen")})
    assert out.reference_models == (TUNED, "whisper-tiny.en")
    assert out.reference_dataset_id == "ds_gen" and out.gates.max_reference_regression == 0.1


def test_the_strictest_budget_of_several_tuned_candidates_applies():
    other = "ft:whisper-tiny.en:def456"
    out = with_default_forgetting_gate(spec([TUNED, other]), {
        TUNED: TunedCandidate(TUNED, "whisper-tiny.en", 0.05), other: TunedCandidate(other, "whisper-tiny.en", 0.02)})
    assert out.gates.max_reference_regression == 0.02


@pytest.mark.parametrize("candidates, tuned, gates", [
    (["whisper-tiny.en", "pocketsphinx-en-us"], {}, None),          # no fine-tune: nothing to forget
    ([TUNED, "whisper-tiny.en"], {TUNED: TunedCandidate(TUNED, "whisper-tiny.en", 0.05)},
     {"max_reference_regression": 0.5, "reference_baseline": "whisper-tiny.en"}),  # the request's own gate
])
def test_no_default_gate_without_a_fine_tune_or_when_the_request_sets_one(candidates, tuned, gates):
    original = spec(candidates, gates)
    out = with_default_forgetting_gate(original, tuned)
    assert out == original and not out.default_forgetting_gate


def test_a_requested_gate_without_a_reference_dataset_uses_the_shipped_reference():
    out = spec([TUNED], {"max_reference_regression": 0.03, "reference_baseline": "whisper-tiny.en"})
    assert out.reference_dataset_id == GENERAL_REFERENCE_ID


def test_the_spec_round_trips_with_the_default_gate():
    from adapt_server.evaluation.spec import EvaluationSpec
    out = with_default_forgetting_gate(spec([TUNED]), {TUNED: TunedCandidate(TUNED, "whisper-tiny.en", 0.05)})
    assert EvaluationSpec.from_dict(out.to_dict()) == out


def test_the_general_reference_selection_puts_the_packaged_audio_in_the_blob_store(tmp_path):
    from adapt_server.evaluation.job import general_reference_selection
    from adapt_server.store.blobs import BlobStore
    blobs = BlobStore(tmp_path / "blobs")
    selection = general_reference_selection(blobs)
    assert len(selection.units) == 12
    for unit in selection.units:
        assert blobs.exists(unit.audio_sha256) and unit.start_s is None and unit.reference
    assert general_reference_selection(blobs) == selection  # idempotent
