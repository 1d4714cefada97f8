import numpy as np
import pytest

from adapt_server.sampledata.energy import frame_rms, speech_bounds, speech_frames


def test_frame_rms_pads_the_last_frame():
    rms = frame_rms(np.array([3.0, 4.0, 0.0, 0.0, 2.0]), 2)
    np.testing.assert_allclose(rms, [np.sqrt(12.5), 0.0, np.sqrt(2.0)])


def test_speech_bounds_find_the_loud_region():
    signal = np.zeros(1000)
    signal[230:610] = np.sin(np.arange(380))
    assert speech_frames(signal, 100, 0.1).tolist() == [False, False, True, True, True, True, True, False, False, False]
    assert speech_bounds(signal, 100, 0.1) == (200, 700)


def test_silence_has_no_speech_bounds():
    with pytest.raises(ValueError, match="silent"):
        speech_bounds(np.zeros(500), 100, 0.1)
