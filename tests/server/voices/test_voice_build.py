"""Voice building: the style space, option checks, cancel, and (slow) a fit that beats the closest stock
voice on held-out audio of the target, resumed from a checkpoint to the same result."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.audio.encode import resample
from adapt_server.errors import InvalidArgument
from adapt_server.tts import catalog
from adapt_server.tts.kokoro import StylePack
from adapt_server.voices import speaker_check, voice_build


@pytest.fixture(scope="module")
def space():
    return voice_build.StyleSpace(catalog.kokoro_model())


def test_the_start_is_mostly_the_closest_stock_voice(space):
    mean, sigma = space.start("jm_kumo")
    assert mean.shape == sigma.shape == (5 + 256,)
    pack = space.pack(mean)
    kumo = catalog.stock_pack("kokoro-jm_kumo").vectors
    others = [catalog.stock_pack("kokoro-" + name).vectors for name in space.names if name != "jm_kumo"]
    assert np.linalg.norm(pack.vectors - kumo) < min(np.linalg.norm(pack.vectors - other) for other in others)
    one_hot = np.zeros_like(mean)
    one_hot[space.names.index("jm_kumo")] = 50.0
    np.testing.assert_allclose(space.pack(one_hot).vectors, kumo, atol=1e-5)


def test_options_and_empty_datasets_are_checked():
    with pytest.raises(InvalidArgument, match="even population"):
        voice_build.BuildOptions(population=3)
    with pytest.raises(InvalidArgument, match="no recordings of the chosen speaker"):
        voice_build.build_voice([])


def test_cancel_stops_the_build_between_candidates():
    speech = resample(catalog.load_stock_voice("piper-joe").synthesize("The package arrived two days late."),
                      22050, 16000)
    stages = []
    with pytest.raises(voice_build.VoiceBuildCancelled):
        voice_build.build_voice([speech], progress=lambda fraction, stage, message: stages.append(stage),
                                should_cancel=lambda: True)
    assert stages == ["embedding target", "choosing a start"]


@pytest.mark.slow
def test_a_fitted_voice_is_closer_to_the_target_than_the_closest_stock_voice_and_resumes_exactly(space):
    """The talent is a Kokoro voice outside the stock set (an equal mix of two stock packs, shifted): its
    'dataset' and held-out sentences are its own speech; the build sees only the dataset."""
    x = np.zeros(space.dims)
    x[space.names.index("jm_kumo")] = x[space.names.index("jf_tebukuro")] = 3.0
    x[5:] = np.random.default_rng(3).normal(0.0, 0.6, 256)
    talent = catalog.load_custom_voice("talent", space.pack(x))

    def speech(voice, texts):
        return [resample(voice.synthesize(text), 24000, 16000) for text in texts]

    dataset = speech(talent, ["Please send the report before noon tomorrow.", "Our office is closed today."])
    unseen_sentences = speaker_check.centroid([speaker_check.embed_recording(audio) for audio in speech(
        talent, ["The weather was cold and windy all day.", "Turn left at the second light."])])
    checkpoints = []
    options = voice_build.BuildOptions(generations=2, population=4)
    result = voice_build.build_voice(dataset, options, checkpoint=checkpoints.append)
    probe = ["I would like to book a table for two.", "Thank you for calling."]

    def similarity(voice):
        embedding = speaker_check.embed_recording(np.concatenate(speech(voice, probe)))
        return speaker_check.cosine(embedding, unseen_sentences)

    custom = similarity(catalog.load_custom_voice("custom", result.pack))
    stock = similarity(catalog.load_stock_voice(result.start_voice))
    assert result.similarity > result.start_similarity
    assert custom > stock, (custom, stock)
    assert len(checkpoints) == 3  # after the start, then after each generation
    resumed = voice_build.build_voice(dataset, options, resume=checkpoints[1])
    np.testing.assert_array_equal(resumed.pack.vectors, result.pack.vectors)
    assert isinstance(resumed.pack, StylePack) and resumed.history == result.history
