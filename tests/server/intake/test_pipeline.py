"""Pipeline validation at create time: unknown steps and parameters, values, order, models, pyannote."""
from __future__ import annotations

import pytest

from adapt_server.config import ServerConfig
from adapt_server.errors import FailedPrecondition, InvalidArgument, NotFound
from adapt_server.intake.pipeline import plan, validate_pipeline
from adapt_server.intake.steps.base import ValidationEnv
from adapt_server.models.service import ModelService
from adapt_server.store.store import Store


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    config = ServerConfig(data_dir=tmp_path_factory.mktemp("data")).resolved()
    store = Store.open(config, run_migrations=True)
    models = ModelService(config, store)
    models.register_bundled()
    yield ValidationEnv(models=models)
    store.close()


def test_the_docs_pipeline_is_normalized_with_defaults(env):
    steps = validate_pipeline([{"step": "diarize", "params": {"model": "embedded"}},
                               {"step": "align", "params": {"model": "whisper-tiny.en"}},
                               {"step": "redact", "params": {"entities": ["pii", "phi"]}},
                               {"step": "split", "params": {"holdout": 0.2, "by": "speaker", "seed": 3}}], env)
    assert [s["step"] for s in steps] == ["diarize", "align", "redact", "split"]
    assert steps[0]["params"] == {"model": "embedded", "by_channel": False, "min_speakers": 1, "max_speakers": 8}
    assert steps[1]["params"]["min_confidence"] == 0.5 and steps[1]["params"]["max_utterance_s"] == 30.0
    assert steps[2]["params"] == {"entities": ["pii", "phi"], "pad_s": 0.15, "drop_utterances_with": []}
    assert steps[3]["params"] == {"holdout": 0.2, "by": "speaker", "seed": 3}  # no holdout_glob
    # the stored, normalized form plans again to the same configs (the job re-reads it)
    assert [p.config for p in plan(steps)] == [p.config for p in plan(steps, env)]


def test_no_pipeline_is_fine(env):
    assert validate_pipeline([], env) == []


@pytest.mark.parametrize("steps, fragment", [
    ([{"step": "transmogrify"}], "unknown step 'transmogrify'; this server knows: vad, diarize, align, redact, split"),
    ([{}], "step is required"),
    ([{"step": "vad", "params": {"loudness": 3}}], "unknown parameters ['loudness']"),
    ([{"step": "vad", "params": {"threshold": 2}}], "threshold must be a number in [0.05, 0.95]"),
    ([{"step": "diarize", "params": {"model": "pyannote"}}], "needs `path`"),
    ([{"step": "diarize", "params": {"min_speakers": 5, "max_speakers": 2}}], "min_speakers (5) is above"),
    ([{"step": "diarize", "params": {"by_channel": "yes"}}], "by_channel must be true or false"),
    ([{"step": "align", "params": {"min_confidence": -1}}], "min_confidence must be a number in [0.0, 1.0]"),
    ([{"step": "align", "params": {"max_utterance_s": 45}}], "max_utterance_s must be a number in [1.0, 30.0]"),
    ([{"step": "align"}, {"step": "redact", "params": {"entities": ["pii", "secrets"]}}],
     "entities: redact: unknown entity group 'secrets'; allowed groups: phi, pii"),
    ([{"step": "align"}, {"step": "redact", "params": {"entities": []}}], "name at least one entity group"),
    ([{"step": "align"}, {"step": "redact", "params": {"drop_utterances_with": ["lower case"]}}],
     "drop_utterances_with: unknown entity type(s) ['LOWER CASE']"),
    ([{"step": "split", "params": {"holdout": 0.95}}], "holdout must be a number in [0.01, 0.9]"),
    ([{"step": "split", "params": {"by": "day"}}], "by must be one of ['recording', 'speaker']"),
    ([{"step": "split", "params": {"seed": 1.5}}], "seed must be an integer"),
])
def test_bad_steps_are_invalid_argument_naming_the_field(env, steps, fragment):
    with pytest.raises(InvalidArgument) as error:
        validate_pipeline(steps, env)
    assert fragment in error.value.message


@pytest.mark.parametrize("steps, fragment", [
    (["redact"], "'redact' needs the word times of 'align'"),
    (["redact", "align"], "'redact' needs the word times of 'align'"),
    (["align", "diarize"], "'diarize' cannot run after 'align'; valid order: vad -> diarize -> align -> redact -> split"),
    (["split", "align"], "'align' cannot run after 'split'"),
    (["align", "align"], "step 'align' appears 2 times"),
])
def test_impossible_orders_say_the_valid_order(env, steps, fragment):
    with pytest.raises(InvalidArgument) as error:
        validate_pipeline([{"step": s} for s in steps], env)
    assert fragment in error.value.message
    assert "vad -> diarize -> align -> redact -> split" in error.value.message


def test_an_unknown_diarizer_is_not_found_naming_the_built_in_ones(env):
    with pytest.raises(NotFound, match=r"'magic' is not a model of this server: use one of \['embedded', 'dvector', "
                                       r"'pyannote'\] or the id of a registered diarizer model"):
        validate_pipeline([{"step": "diarize", "params": {"model": "magic"}}], env)


def test_a_docs_diarizer_name_says_how_to_register_it(env):
    with pytest.raises(NotFound, match="adapt models register /models/pyannote-speaker-diarization-3.3 --id "
                                       "pyannote-3.3"):
        validate_pipeline([{"step": "diarize", "params": {"model": "pyannote-3.3"}}], env)


def test_a_model_that_does_not_diarize_is_refused_as_a_diarizer(env):
    with pytest.raises(InvalidArgument, match="'whisper-tiny.en' is a whisper recognizer, not a diarizer"):
        validate_pipeline([{"step": "diarize", "params": {"model": "whisper-tiny.en"}}], env)


def test_an_unknown_align_model_is_not_found(env):
    with pytest.raises(NotFound, match="'whisper-huge' is not a model of this server"):
        validate_pipeline([{"step": "align", "params": {"model": "whisper-huge"}}], env)


def test_pyannote_without_its_checkpoint_is_failed_precondition(env, tmp_path):
    with pytest.raises(FailedPrecondition, match="does not exist on the server"):
        validate_pipeline([{"step": "diarize", "params": {"model": "pyannote", "path": str(tmp_path / "nope")}}], env)


def test_inline_params_from_the_sdk_form_are_accepted(env):
    [step] = validate_pipeline([{"step": "align", "params": {"params": {"min_confidence": 0.7}}}], env)
    assert step["params"]["min_confidence"] == 0.7


def test_redact_takes_groups_and_single_entity_types(env):
    [_, redact] = validate_pipeline([{"step": "align"}, {"step": "redact", "params": {
        "entities": ["phi", "PERSON"], "drop_utterances_with": ["us_ssn"]}}], env)
    assert redact["params"]["entities"] == ["phi", "PERSON"]
    assert redact["params"]["drop_utterances_with"] == ["US_SSN"]
