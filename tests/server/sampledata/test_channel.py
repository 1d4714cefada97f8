"""Channel conditions change the signal as described: rate and codec, voice band, noise floor, far-end
dropouts, the room's reverberant tail and background babble; the narrowband condition is the telephone line."""
import numpy as np
import pytest

from adapt_server.sampledata.channel import (
    CONDITIONS,
    FAR_END,
    MOBILE,
    MULAW,
    NARROWBAND,
    PCM16,
    VOIP_WIDEBAND,
    WIDEBAND_ROOM,
    Babble,
    ChannelCondition,
    Dropouts,
    Room,
    babble_noise,
    dropout_gain,
    room_impulse_response,
    transmit,
    voice_path,
)
from adapt_server.sampledata.constants import TTS_SAMPLE_RATE
from adapt_server.sampledata.energy import frame_rms
from adapt_server.sampledata.script import CUSTOMER, SPEAKERS
from adapt_server.sampledata.telephone import bandlimit_telephone, line_noise, resample_to_telephone


def _tone(frequency_hz, seconds=1.0, rate=TTS_SAMPLE_RATE):
    return np.sin(2 * np.pi * frequency_hz * np.arange(int(seconds * rate)) / rate)


def _gain_db(condition, frequency_hz):
    """dB the condition's voice path gives a tone at the TTS rate (edges trimmed)."""
    tone = _tone(frequency_hz, 2.0)
    out = voice_path(tone, TTS_SAMPLE_RATE, condition)[2000:-2000]
    return 20 * np.log10(np.std(out) / np.std(tone) + 1e-12)


def _db(samples):
    return 10 * np.log10(np.mean(np.square(samples)) + 1e-20)


def test_the_conditions_differ_in_rate_codec_and_band():
    assert set(CONDITIONS) == {"narrowband", "mobile", "wideband_room", "voip_wideband"}
    assert (NARROWBAND.sample_rate, NARROWBAND.codec) == (8000, MULAW)
    assert (MOBILE.sample_rate, MOBILE.codec) == (8000, PCM16)
    assert (WIDEBAND_ROOM.sample_rate, WIDEBAND_ROOM.codec) == (16000, PCM16)
    assert (VOIP_WIDEBAND.sample_rate, VOIP_WIDEBAND.codec) == (16000, PCM16)
    assert len({(c.sample_rate, c.codec, c.band_low_hz, c.band_high_hz) for c in CONDITIONS.values()}) == 4
    assert NARROWBAND.frame == 80 and WIDEBAND_ROOM.frame == 160  # 10 ms


def test_the_narrowband_voice_path_is_the_telephone_band_bit_for_bit():
    speechlike = np.random.default_rng(0).standard_normal(TTS_SAMPLE_RATE) * 0.1
    expected = bandlimit_telephone(resample_to_telephone(speechlike, TTS_SAMPLE_RATE))
    assert np.array_equal(voice_path(speechlike, TTS_SAMPLE_RATE, NARROWBAND), expected)


def test_the_voice_bands():
    for condition in CONDITIONS.values():
        assert abs(_gain_db(condition, 1000)) < 0.5, condition.name
    # narrowband: 300-3400 Hz
    assert _gain_db(NARROWBAND, 3300) > -3 and _gain_db(NARROWBAND, 150) < -30 and _gain_db(NARROWBAND, 3700) < -40
    # mobile: the narrower, steeper codec band (200-3000 Hz) cuts the top of the telephone band
    assert _gain_db(MOBILE, 250) > -1 and _gain_db(MOBILE, 3300) < -30
    # wideband: everything up to 7 kHz, which 8 kHz conditions cannot carry at all
    for wide in (WIDEBAND_ROOM, VOIP_WIDEBAND):
        assert _gain_db(wide, 5000) > -1 and _gain_db(wide, 6500) > -1
    for narrow in (NARROWBAND, MOBILE):
        assert _gain_db(narrow, 5000) < -50
    assert _gain_db(WIDEBAND_ROOM, 150) > -1 and _gain_db(VOIP_WIDEBAND, 100) < -20


def test_narrowband_transmit_mixes_and_adds_only_the_band_limited_line_noise():
    tracks = np.stack([_tone(500, 1.0, 8000) * 0.1, _tone(700, 1.0, 8000) * 0.1])
    mono = transmit(tracks, False, NARROWBAND, np.random.default_rng(3))
    noise = bandlimit_telephone(line_noise(np.random.default_rng(3), tracks.shape[1], NARROWBAND.noise_dbfs))
    assert mono.shape == (1, 8000) and np.array_equal(mono[0], tracks.sum(axis=0) + noise)
    stereo = transmit(tracks, True, NARROWBAND, np.random.default_rng(3))
    assert stereo.shape == (2, 8000) and _db(stereo[0] - tracks[0]) < -60


@pytest.mark.parametrize("condition", list(CONDITIONS.values()), ids=lambda c: c.name)
def test_transmit_is_deterministic_and_sets_the_noise_floor(condition):
    silence = np.zeros((2, condition.sample_rate * 2))
    first = transmit(silence, False, condition, np.random.default_rng(5))
    assert np.array_equal(first, transmit(silence, False, condition, np.random.default_rng(5)))
    floor = condition.babble.dbfs if condition.babble else condition.noise_dbfs
    assert floor - 6 < _db(first) < floor + 1, condition.name  # the band keeps most of the noise's power


def test_dropouts_mute_short_stretches_of_the_far_end_only():
    gain = dropout_gain(np.random.default_rng(1), 8000 * 200, 8000, Dropouts(0.25, 0.020, 0.060))
    lost = gain < 0.5
    edges = np.flatnonzero(np.diff(lost.astype(int)))
    lengths_s = (edges[1::2] - edges[::2]) / 8000
    assert 30 <= len(lengths_s) <= 70  # about 0.25 per second over 200 s
    assert lengths_s.min() >= 0.015 and lengths_s.max() <= 0.065
    assert 0.004 < lost.mean() < 0.016

    tone = _tone(1000, 60.0, 8000) * 0.1
    out = transmit(np.stack([tone, tone]), True, MOBILE, np.random.default_rng(2))
    frames = [20 * np.log10(frame_rms(channel, 80) + 1e-12) for channel in out]
    assert SPEAKERS.index(CUSTOMER) == FAR_END  # render_call stacks the tracks in SPEAKERS order
    agent, customer = frames[1 - FAR_END], frames[FAR_END]
    assert (agent > -25).all()  # the agent's leg never drops
    assert 3 <= (customer < -40).sum() and (customer < -40).mean() < 0.05  # a few short holes in the customer's


def test_the_room_response_has_a_direct_path_and_a_decaying_tail():
    room = Room(rt60_s=(0.3, 0.3), direct_to_reverberant_db=(5.0, 5.0))
    response = room_impulse_response(np.random.default_rng(0), 16000, room)
    assert np.sum(response**2) == pytest.approx(1.0)
    assert np.argmax(np.abs(response)) == 0 and len(response) == round(0.004 * 16000) + round(0.3 * 16000)
    tail = response[64:]
    assert 10 * np.log10(response[0] ** 2 / np.sum(tail**2)) == pytest.approx(5.0, abs=0.01)
    early, late = np.sum(tail[:800] ** 2), np.sum(tail[-800:] ** 2)
    assert 10 * np.log10(early / late) > 40  # about 60 dB of decay over the response


def test_the_room_rings_on_after_a_turn_ends():
    dry = ChannelCondition("dry", 16000, PCM16, 100.0, 7000.0, 4, -90.0)
    wet = ChannelCondition("wet", 16000, PCM16, 100.0, 7000.0, 4, -90.0, room=WIDEBAND_ROOM.room)
    burst = np.zeros((2, 16000))
    burst[0, :8000] = _tone(1000, 0.5, 16000) * 0.1
    after = slice(8000 + 800, 8000 + 2400)  # 50-150 ms after the burst
    assert _db(transmit(burst, False, wet, np.random.default_rng(0))[0, after]) > \
        _db(transmit(burst, False, dry, np.random.default_rng(0))[0, after]) + 30


def test_babble_is_speech_shaped_modulated_noise_at_its_level():
    rate = 16000
    babble = babble_noise(np.random.default_rng(0), rate * 20, rate, Babble(-40.0))
    assert _db(babble) == pytest.approx(-40.0, abs=0.01)
    spectrum = np.abs(np.fft.rfft(babble)) ** 2
    freqs = np.fft.rfftfreq(len(babble), 1 / rate)
    low = spectrum[(freqs > 200) & (freqs < 1000)].mean()
    high = spectrum[(freqs > 3000) & (freqs < 6000)].mean()
    assert 10 * np.log10(low / high) > 10  # tilted like speech
    envelope = frame_rms(babble, rate // 20)  # 50-ms frames
    white = frame_rms(np.random.default_rng(1).standard_normal(rate * 20), rate // 20)
    assert np.std(envelope) / np.mean(envelope) > 5 * np.std(white) / np.mean(white)  # syllable-rate modulation
