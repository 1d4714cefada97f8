"""Diarization by channel: stereo calls with one speaker per channel."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.errors import InvalidArgument
from adapt_server.intake.diarization import diarize_channels
from adapt_server.scoring.diarization import score_diarization

MAX_STEREO_DER = 0.15  # only VAD edges can be wrong: each channel holds one speaker


def test_each_channel_is_its_speaker(generated_calls):
    call = generated_calls["stereo"]
    turns = diarize_channels(list(call.channels), call.sample_rate, labels=["agent", "customer"])
    assert {turn.speaker for turn in turns} == {"agent", "customer"}
    assert [turn.start for turn in turns] == sorted(turn.start for turn in turns)
    result = score_diarization({call.id: call.truth}, {call.id: turns}, collar_s=0.25)
    assert result.der < MAX_STEREO_DER, result
    assert result.confusion_s == pytest.approx(0.0, abs=0.3)


def test_default_labels_and_a_2d_array(generated_calls):
    call = generated_calls["stereo"]
    turns = diarize_channels(np.stack(call.channels), call.sample_rate)
    assert {turn.speaker for turn in turns} == {"spk0", "spk1"}


def test_a_silent_channel_has_no_turns(generated_calls):
    call = generated_calls["stereo"]
    turns = diarize_channels([call.channels[0], np.zeros_like(call.channels[1])], call.sample_rate)
    assert {turn.speaker for turn in turns} == {"spk0"}


@pytest.mark.parametrize(("channels", "labels", "message"), [
    ([], None, "list of channels"),
    ([np.zeros(800, np.float32)] * 2, ["a"], "one speaker label per channel"),
    ([np.zeros(800, np.float32)] * 2, ["a", "a"], "distinct"),
    ([np.zeros(800, np.float32), np.zeros((2, 8), np.float32)], None, "channel 1"),
])
def test_bad_channels_or_labels(channels, labels, message):
    with pytest.raises(InvalidArgument, match=message):
        diarize_channels(channels, 8000, labels)
