import numpy as np
import pytest

from adapt_server.sampledata.mulaw_wav import read_wav, write_mulaw_wav, write_wav


def _speechlike(n, seed=0):
    rng = np.random.default_rng(seed)
    envelope = np.abs(np.sin(np.arange(n) / 900.0))
    return (rng.standard_normal(n) * 4000 * envelope).clip(-32768, 32767).astype(np.int16)


@pytest.mark.parametrize("n_channels", [1, 2])
def test_mu_law_round_trip_keeps_the_signal_within_g711_precision(tmp_path, n_channels):
    pcm = np.stack([_speechlike(8000, seed) for seed in range(n_channels)])
    path = tmp_path / "call.wav"
    write_mulaw_wav(path, pcm, 8000)
    decoded = read_wav(path)
    assert decoded.codec == "pcm_mulaw" and decoded.sample_rate == 8000
    assert decoded.samples.shape == pcm.shape
    error = decoded.samples.astype(float) - pcm
    snr_db = 10 * np.log10(np.mean(pcm.astype(float) ** 2) / np.mean(error**2))
    assert snr_db > 30  # G.711 gives about 38 dB on speech-like signals
    assert path.stat().st_size == 44 + 14 + pcm.size  # RIFF + fmt(18) + fact chunk + one byte per sample


def test_the_same_samples_give_the_same_bytes(tmp_path):
    pcm = _speechlike(4000)[np.newaxis]
    write_mulaw_wav(tmp_path / "a.wav", pcm, 8000)
    write_mulaw_wav(tmp_path / "b.wav", pcm, 8000)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_wrong_shapes_are_refused_with_the_path(tmp_path):
    with pytest.raises(ValueError, match="bad.wav"):
        write_mulaw_wav(tmp_path / "bad.wav", np.zeros((3, 10), dtype=np.int16), 8000)
    with pytest.raises(ValueError, match="int16"):
        write_mulaw_wav(tmp_path / "bad.wav", np.zeros((1, 10)), 8000)


@pytest.mark.parametrize("n_channels", [1, 2])
def test_pcm16_wav_round_trips_exactly_and_deterministically(tmp_path, n_channels):
    pcm = np.stack([_speechlike(16000, seed) for seed in range(n_channels)])
    write_wav(tmp_path / "a.wav", pcm, 16000, "pcm_s16le")
    write_wav(tmp_path / "b.wav", pcm, 16000, "pcm_s16le")
    decoded = read_wav(tmp_path / "a.wav")
    assert decoded.codec == "pcm_s16le" and decoded.sample_rate == 16000
    assert np.array_equal(decoded.samples, pcm)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert (tmp_path / "a.wav").stat().st_size == 44 + 2 * pcm.size


def test_other_codecs_are_refused(tmp_path):
    with pytest.raises(ValueError, match="pcm_mulaw, pcm_s16le"):
        write_wav(tmp_path / "x.wav", np.zeros((1, 10), dtype=np.int16), 8000, "flac")
