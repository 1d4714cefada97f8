import numpy as np
import pytest

from adapt_server.sampledata.constants import TELEPHONE_SAMPLE_RATE, TTS_SAMPLE_RATE
from adapt_server.sampledata.telephone import (
    bandlimit_telephone,
    float_to_pcm16,
    line_noise,
    pcm16_to_float,
    resample_to_telephone,
    scale_to_rms,
)


def _tone(frequency_hz, seconds=1.0, rate=TELEPHONE_SAMPLE_RATE):
    return np.sin(2 * np.pi * frequency_hz * np.arange(int(seconds * rate)) / rate)


def _gain_db(frequency_hz):
    tone = _tone(frequency_hz)
    out = bandlimit_telephone(tone)
    middle = slice(1000, -1000)
    return 20 * np.log10(np.std(out[middle]) / np.std(tone[middle]))


def test_the_band_passes_voice_and_cuts_outside_300_to_3400_hz():
    assert abs(_gain_db(1000)) < 0.5
    assert _gain_db(100) < -30
    assert _gain_db(3800) < -20


def test_resampling_22050_to_8000_keeps_the_duration_and_the_tone():
    tone = _tone(440, 2.0, TTS_SAMPLE_RATE)
    out = resample_to_telephone(tone, TTS_SAMPLE_RATE)
    assert len(out) == int(np.ceil(len(tone) * TELEPHONE_SAMPLE_RATE / TTS_SAMPLE_RATE))
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * TELEPHONE_SAMPLE_RATE / len(out) == pytest.approx(440, abs=1)


def test_scale_to_rms_and_noise_levels():
    scaled = scale_to_rms(_tone(1000), -20.0)
    assert 20 * np.log10(np.sqrt(np.mean(scaled**2))) == pytest.approx(-20.0, abs=1e-6)
    noise = line_noise(np.random.default_rng(0), 80000, -50.0)
    assert 20 * np.log10(np.std(noise)) == pytest.approx(-50.0, abs=0.2)
    with pytest.raises(ValueError, match="silent"):
        scale_to_rms(np.zeros(10), -20.0)


def test_pcm16_conversion_round_trips_and_clips():
    pcm = np.array([-32768, -1, 0, 1, 32767], dtype=np.int16)
    assert np.array_equal(float_to_pcm16(pcm16_to_float(pcm)), pcm)
    assert float_to_pcm16(np.array([2.0, -2.0])).tolist() == [32767, -32768]
