"""Speaker verification of the consent statement: CAM++ cosine against the dataset speaker's centroid."""
from __future__ import annotations

import json

import numpy as np
import pytest

from adapt_server.audio.decode import decode_audio
from adapt_server.errors import InvalidArgument
from adapt_server.voices import speaker_check

from .conftest import speak16k


def test_embeddings_are_unit_192_vectors_and_short_or_stereo_audio_is_refused():
    rng = np.random.default_rng(0)
    embedding = speaker_check.embed_recording((0.1 * rng.standard_normal(32000)).astype(np.float32))
    assert embedding.shape == (192,) and np.linalg.norm(embedding) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(InvalidArgument, match="less than"):
        speaker_check.embed_recording((0.1 * rng.standard_normal(8000)).astype(np.float32))
    with pytest.raises(InvalidArgument, match="mono"):
        speaker_check.embed_recording(np.zeros((2, 32000), np.float32))
    with pytest.raises(InvalidArgument, match="no recordings"):
        speaker_check.centroid([])


def test_verdict_uses_the_threshold_and_says_why():
    target = np.array([1.0, 0.0])
    assert speaker_check.verify_speaker(np.array([1.0, 0.1]), target).matched
    check = speaker_check.verify_speaker(np.array([0.0, 1.0]), target)
    assert not check.matched and check.score == 0.0 and "does not match" in check.reason


@pytest.mark.slow
def test_the_talent_matches_their_dataset_and_another_voice_does_not():
    dataset = speaker_check.centroid([speaker_check.embed_recording(speak16k("piper-joe", text)) for text in (
        "Our office is closed on public holidays.", "The package arrived two days late.")])
    statement = "I Daniel Parker am aware that recordings of my voice will be used by Northwind."
    same = speaker_check.verify_speaker(speaker_check.embed_recording(speak16k("piper-joe", statement)), dataset)
    other = speaker_check.verify_speaker(speaker_check.embed_recording(speak16k("kokoro-jm_kumo", statement)), dataset)
    assert same.matched, same.reason
    assert not other.matched, other.reason


@pytest.mark.realspeech
@pytest.mark.slow
def test_real_speakers_are_told_apart(realspeech):
    rows = [json.loads(line) for line in (realspeech / "asr" / "manifest.jsonl").read_text().splitlines()]

    def embeddings(speaker):
        return [speaker_check.embed_recording(decode_audio(realspeech / row["audio"]).mono)
                for row in rows if row.get("speaker") == speaker]

    first, second = embeddings("sb_spk1"), embeddings("sb_spk2")
    target = speaker_check.centroid(first[1:])
    assert speaker_check.verify_speaker(first[0], target).matched
    assert not speaker_check.verify_speaker(second[0], target).matched


def test_a_silent_recording_is_refused():
    with pytest.raises(InvalidArgument, match="silent"):
        speaker_check.embed_recording(np.zeros(48000, np.float32))
