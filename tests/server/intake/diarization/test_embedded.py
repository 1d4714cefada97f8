"""The d-vector diarizer (`embedded.py`, the diarize step's model "dvector") on generated two-speaker calls
(espeak voices, telephone band, 8 kHz) and bad input."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.diarization import DiarizationOptions
from adapt_server.intake.diarization import diarize_dvector as diarize
from adapt_server.scoring.diarization import score_diarization
from testkit.diarization import BAD_DIARIZE_ARGUMENTS, SECOND

MAX_CALL_DER = 0.20  # measured ~0.05-0.13 on whole generated calls (collar 0.25 s); most of it is VAD padding


@pytest.fixture(scope="module")
def mono_turns(generated_calls):
    call = generated_calls["mono"]
    return diarize(call.mono, call.sample_rate, threads=1)


def test_finds_the_two_speakers_of_a_generated_call(generated_calls, mono_turns):
    call = generated_calls["mono"]
    assert {turn.speaker for turn in mono_turns} == {"spk0", "spk1"}
    assert mono_turns[0].speaker == "spk0"  # named in order of first speech
    assert [turn.start for turn in mono_turns] == sorted(turn.start for turn in mono_turns)
    result = score_diarization({call.id: call.truth}, {call.id: mono_turns}, collar_s=0.25)
    assert result.der < MAX_CALL_DER, result


def test_a_given_speaker_count_is_used(generated_calls):
    call = generated_calls["mono"]
    clip = call.mono[:int(10 * call.sample_rate)]
    assert len({turn.speaker for turn in diarize(clip, call.sample_rate, num_speakers=3)}) == 3
    assert {turn.speaker for turn in diarize(clip, call.sample_rate, max_speakers=1)} == {"spk0"}


def test_silence_and_noise_floor_have_no_turns():
    assert diarize(np.zeros(16000 * 3, dtype=np.float32)) == []
    assert diarize(np.zeros(0, dtype=np.float32)) == []
    hiss = np.random.default_rng(0).standard_normal(16000 * 2).astype(np.float32) * 1e-4
    assert diarize(hiss) == []


@pytest.mark.parametrize(("args", "kwargs", "message"), BAD_DIARIZE_ARGUMENTS + [
    ((SECOND,), {"options": DiarizationOptions(step_s=0)}, "step_s"),
    ((SECOND,), {"options": DiarizationOptions(clustering="kmeans")}, "clustering"),
])
def test_bad_input_is_an_invalid_argument_that_says_what_to_fix(args, kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        diarize(*args, **kwargs)
