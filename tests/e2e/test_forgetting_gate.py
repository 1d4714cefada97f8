"""The forgetting gate is on by default, over gRPC against a real `adapt serve`: a model fine-tuned to forget
(a learning rate far too high for its few utterances, the whole change kept) is evaluated against its base with
no gates asked for; the evaluation scores both on the general-speech reference that ships with Adapt, shows
general WER beside domain WER, and the forgetful model is not the winner, with the regression as the reason."""
from __future__ import annotations

import pytest

import adapt
from testkit.servers import ServerProcess

pytestmark = pytest.mark.slow  # a real server, a short fine-tune and two evaluations of whisper-tiny.en

BASE = "whisper-tiny.en"
WAIT_S = 900
# lr 3e-3 made a model that loops on every clip (minutes per utterance on the evaluation's beam-5 path); 3e-4
# over ~14 steps on 9 turns, the whole change kept, forgets without looping (docs/training.md: 1e-4 for 18 steps
# already cost +31% on real speech)
FORGETFUL = {"learning_rate": 3e-4, "epochs": 6, "batch_size": 4, "warmup_steps": 0, "weight_interpolation": 1.0}


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory):
    from adapt_server.sampledata import generate_calls
    root = tmp_path_factory.mktemp("forget-sources")
    generate_calls(root / "gen", n_calls=1, seed=11, split="train", min_turns=9, max_turns=9)
    return root


@pytest.fixture(scope="module")
def client(tmp_path_factory, calls_dir):
    proc = ServerProcess(tmp_path_factory.mktemp("forget-data") / "adapt-data", [calls_dir]).start()
    with adapt.Client(proc.target) as c:
        yield c
    proc.stop()


@pytest.mark.timeout(1800)
def test_a_fine_tune_that_forgets_general_speech_is_not_the_winner(client, calls_dir):
    dataset = client.datasets.create(name="forget", sources=[{"type": "local", "uri": str(calls_dir / "gen" / "calls")}])
    client.datasets.wait(dataset.id, timeout=WAIT_S)
    job = client.fine_tunes.create(base_model=BASE, dataset_id=dataset.id, hyperparameters=FORGETFUL,
                                   validation={"split": "none", "forgetting_budget": 0.05})
    tuned = client.fine_tunes.wait(job.id, timeout=WAIT_S)
    assert tuned.validation["forgetting_budget"] == pytest.approx(0.05)

    run = client.evaluations.create(dataset_id=dataset.id, candidates=[tuned.model_id, BASE], metrics=["wer"])
    run = client.evaluations.wait(run.id, timeout=WAIT_S)
    print(run.leaderboard)
    print(run.reason)

    assert any("forgetting gate added by default" in note for note in run.notes), run.notes
    rows = {row.model_id: row for row in run.leaderboard}
    general = {row.model_id: row for row in run.reference_leaderboard}
    assert set(general) == {tuned.model_id, BASE} and general[BASE].utterances == 12
    for model_id in (tuned.model_id, BASE):  # domain and general-speech WER side by side
        assert rows[model_id].reference_wer == pytest.approx(general[model_id].wer)
    assert general[tuned.model_id].wer > 1.05 * general[BASE].wer  # it did forget
    [gate] = [g for g in run.gate_results if g.model_id == tuned.model_id]
    assert gate.gate == "max_reference_regression" and not gate.passed and gate.limit == pytest.approx(0.05)
    assert "exceeds the forgetting budget 5%" in gate.detail
    # the best on its domain (it learnt these very turns), yet no winner: the reason names the regression
    assert run.leader == tuned.model_id and rows[tuned.model_id].wer < rows[BASE].wer
    assert run.winner is None and "general-speech WER regression" in run.reason
