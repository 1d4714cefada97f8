"""The log-mel front-end against transformers' WhisperFeatureExtractor (the HF / OpenAI convention)."""

from __future__ import annotations

import numpy as np
import pytest
from transformers import WhisperFeatureExtractor

from adapt_kernels.mel import log_mel_batch, log_mel_spectrogram, n_frames_for, warmup
from adapt_kernels.whisper_constants import HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE

TOLERANCE = 1e-4  # max abs difference from transformers (its torch path is float32 too)


def hf_features(n_mels: int, audio, **call_options) -> np.ndarray:
    """transformers' features (its torch path, as used in training scripts): (batch, n_mels, n_frames)."""
    extractor = WhisperFeatureExtractor(feature_size=n_mels)
    return extractor(audio, sampling_rate=SAMPLE_RATE, return_tensors="np", **call_options).input_features


def hf_numpy_features(n_mels: int, audio: np.ndarray) -> np.ndarray:
    """transformers' float64 numpy path on exactly these samples (no padding): (n_mels, n_frames).

    Unlike torch.stft, it accepts clips shorter than the 200-sample reflect pad (numpy reflects repeatedly).
    """
    extractor = WhisperFeatureExtractor(feature_size=n_mels)
    return extractor._np_extract_fbank_features(audio[np.newaxis, :], "cpu")[0]


@pytest.mark.parametrize("n_mels", [80, 128])
def test_30_seconds_matches_transformers(audio_source, n_mels):
    audio = audio_source(30.0)
    features = log_mel_spectrogram(audio, n_mels=n_mels)
    expected = hf_features(n_mels, audio)[0]
    assert features.shape == expected.shape == (n_mels, N_FRAMES)
    assert features.dtype == np.float32
    assert np.abs(features - expected).max() <= TOLERANCE


@pytest.mark.parametrize("n_mels", [80, 128])
def test_10_minutes_in_one_call_matches_transformers_unpadded(audio_source, n_mels):
    audio = audio_source(600.0)
    features = log_mel_spectrogram(audio, n_mels=n_mels)
    # padding="longest" on a single clip pads nothing; truncation=False keeps all 10 minutes.
    expected = hf_features(n_mels, audio, padding="longest", truncation=False)[0]
    assert features.shape == expected.shape == (n_mels, 600 * 100)
    assert np.abs(features - expected).max() <= TOLERANCE


@pytest.mark.parametrize("n_mels", [80, 128])
def test_batch_pads_audio_to_30_seconds_like_transformers(n_mels, synthetic):

    clips = [synthetic(7.3, seed=1), synthetic(30.0, seed=2), synthetic(0.5, seed=3)]
    features = log_mel_batch(clips, n_mels=n_mels)
    expected = hf_features(n_mels, clips, padding="max_length")
    assert features.shape == expected.shape == (3, n_mels, N_FRAMES)
    assert np.abs(features - expected).max() <= TOLERANCE


def test_batch_items_equal_single_calls_with_padding(synthetic):

    clips = [synthetic(seconds, seed=seed) for seed, seconds in enumerate((2.0, 11.11, 0.01))]
    padded_to_30s = log_mel_batch(clips, n_mels=80)
    padded_to_longest = log_mel_batch(clips, n_mels=80, pad_to_30s=False)
    longest = max(clip.shape[0] for clip in clips)
    assert padded_to_longest.shape == (3, 80, longest // HOP_LENGTH)
    for index, clip in enumerate(clips):
        np.testing.assert_array_equal(padded_to_30s[index],
                                      log_mel_spectrogram(clip, 80, padding=N_SAMPLES - clip.shape[0]))
        np.testing.assert_array_equal(padded_to_longest[index],
                                      log_mel_spectrogram(clip, 80, padding=longest - clip.shape[0]))


@pytest.mark.parametrize("n_samples", [170, 199, 200, 201, 250, 401, 16_001, 16_159])
def test_short_and_odd_lengths_match_transformers_numpy_path(n_samples, synthetic):

    audio = synthetic(1.2, seed=n_samples)[:n_samples]
    features = log_mel_spectrogram(audio, n_mels=80)
    assert features.shape == (80, n_samples // HOP_LENGTH)
    assert np.abs(features - hf_numpy_features(80, audio)).max() <= TOLERANCE


@pytest.mark.parametrize("padding", [1, 37, 199, 200, 4000])
def test_padding_appends_zero_samples_before_the_stft(padding, synthetic):

    audio = synthetic(1.0, seed=padding)
    features = log_mel_spectrogram(audio, n_mels=80, padding=padding)
    expected = hf_numpy_features(80, np.pad(audio, (0, padding)))
    assert features.shape == expected.shape == (80, (audio.shape[0] + padding) // HOP_LENGTH)
    assert np.abs(features - expected).max() <= TOLERANCE


def test_one_sample_works():
    sample = np.array([0.25], dtype=np.float32)
    assert log_mel_spectrogram(sample).shape == (80, 0)  # 1 // 160 frames
    assert log_mel_spectrogram(sample, padding=HOP_LENGTH - 1).shape == (80, 1)
    window = log_mel_batch([sample], n_mels=128)
    assert window.shape == (1, 128, N_FRAMES)
    assert np.abs(window - hf_features(128, [sample])).max() <= TOLERANCE


def test_frame_count_formula():
    assert [n_frames_for(n) for n in (1, 159, 160, 161, N_SAMPLES)] == [0, 0, 1, 1, N_FRAMES]
    assert n_frames_for(1, padding=N_SAMPLES - 1) == N_FRAMES


def test_float64_input_gives_the_float32_result(synthetic):

    audio = synthetic(3.0, seed=5)
    np.testing.assert_array_equal(log_mel_spectrogram(audio.astype(np.float64)), log_mel_spectrogram(audio))


def test_empty_audio_is_refused():
    with pytest.raises(ValueError, match="empty"):
        log_mel_spectrogram(np.zeros(0, dtype=np.float32))
    with pytest.raises(ValueError, match=r"audios\[1\] is empty"):
        log_mel_batch([np.ones(10, dtype=np.float32), np.zeros(0, dtype=np.float32)])
    with pytest.raises(ValueError, match="empty batch"):
        log_mel_batch([])


def test_bad_inputs_are_refused_with_what_to_fix():
    with pytest.raises(ValueError, match="mono"):
        log_mel_spectrogram(np.zeros((2, 16000), dtype=np.float32))
    with pytest.raises(TypeError, match="32768"):
        log_mel_spectrogram(np.zeros(16000, dtype=np.int16))
    with pytest.raises(ValueError, match="padding"):
        log_mel_spectrogram(np.zeros(16000, dtype=np.float32), padding=-1)
    with pytest.raises(ValueError, match="n_mels"):
        log_mel_spectrogram(np.zeros(16000, dtype=np.float32), n_mels=0)


def test_batch_refuses_clips_over_30_seconds_instead_of_truncating():
    clips = [np.zeros(16000, dtype=np.float32), np.zeros(N_SAMPLES + 1, dtype=np.float32)]
    with pytest.raises(ValueError, match=r"audios\[1\] is 30\.000 s.*Split long audio"):
        log_mel_batch(clips)
    assert log_mel_batch(clips, pad_to_30s=False).shape == (2, 80, (N_SAMPLES + 1) // HOP_LENGTH)


def test_warmup_returns_seconds_spent():
    spent = warmup()
    assert 0.0 <= spent < 120.0
    assert warmup() < 1.0  # compiled now: a second warm-up only runs the kernels on 0.1 s of audio


def test_digital_silence_gives_the_floor_like_transformers():
    silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
    features = log_mel_spectrogram(silence)
    assert features.shape == (80, 100)
    assert np.all(features == features[0, 0])
    assert abs(features[0, 0] - (-10.0 + 4.0) / 4.0) < 1e-6  # (log10(float32(1e-10)) + 4) / 4
    assert np.abs(features - hf_features(80, silence, padding="longest")[0]).max() <= TOLERANCE
