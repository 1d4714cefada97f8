"""The encoder's mel front-end matches librosa's melspectrogram (what resemblyzer was trained with)."""
from __future__ import annotations

import numpy as np
import pytest

from adapt_server.intake.diarization.encoder import NORM_TARGET_DBFS, mel_spectrogram
from adapt_server.intake.diarization.mel import HOP_SAMPLES, N_MELS, mel_filters, power_mel_spectrogram


def test_shape_and_non_negative():
    audio = np.random.default_rng(0).standard_normal(16000).astype(np.float32) * 0.1
    mel = power_mel_spectrogram(audio)
    assert mel.shape == (1 + 16000 // HOP_SAMPLES, N_MELS) and mel.dtype == np.float32
    assert (mel >= 0).all()
    assert power_mel_spectrogram(np.zeros(0, np.float32)).shape == (1, N_MELS)


def test_matches_librosa():
    librosa = pytest.importorskip("librosa")  # installed with resemblyzer
    audio = np.random.default_rng(1).standard_normal(24000).astype(np.float32) * 0.1
    expected = librosa.feature.melspectrogram(y=audio, sr=16000, n_fft=400, hop_length=160, n_mels=40).T
    np.testing.assert_allclose(mel_filters(), librosa.filters.mel(sr=16000, n_fft=400, n_mels=40), atol=1e-7)
    np.testing.assert_allclose(power_mel_spectrogram(audio), expected, rtol=1e-4, atol=1e-6 * expected.max())


def test_quiet_audio_is_raised_to_the_encoders_level_and_loud_audio_is_kept():
    audio = np.random.default_rng(2).standard_normal(16000).astype(np.float32)
    quiet, loud = audio * 0.001, audio * 0.5
    target_rms = 10 ** (NORM_TARGET_DBFS / 20)
    np.testing.assert_allclose(mel_spectrogram(quiet), power_mel_spectrogram(audio * target_rms), rtol=1e-3)
    np.testing.assert_allclose(mel_spectrogram(loud), power_mel_spectrogram(loud), rtol=1e-6)
