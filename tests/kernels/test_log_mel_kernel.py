import numpy as np
import pytest

from adapt_kernels.log_mel_kernel import _fill_windowed_frames, _reflected_index


@pytest.mark.parametrize("length", [1, 2, 3, 7, 199, 200, 201, 450])
def test_reflected_index_matches_numpy_reflect_padding_of_any_width(length):
    pad = 200
    signal = np.arange(length)
    expected = np.pad(signal, pad, mode="reflect")
    got = np.array([signal[_reflected_index(position - pad, length)] for position in range(length + 2 * pad)])
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("n_samples", "padding"), [(1000, 0), (1000, 37), (1000, 250), (150, 0), (5, 900)])
def test_frames_are_windowed_slices_of_the_zero_padded_reflect_padded_signal(n_samples, padding):
    rng = np.random.default_rng(n_samples + padding)
    audio = rng.standard_normal(n_samples).astype(np.float32)
    window = rng.random(400).astype(np.float32)
    padded = np.pad(np.pad(audio, (0, padding)), 200, mode="reflect")
    n_frames = 1 + (n_samples + padding) // 160  # all STFT frames, including the one Whisper drops
    frames = np.full((n_frames + 3, 400), np.nan, dtype=np.float32)
    _fill_windowed_frames(audio, n_samples + padding, window, 0, n_frames, frames)
    for frame in range(n_frames):
        np.testing.assert_array_equal(frames[frame], padded[frame * 160 : frame * 160 + 400] * window)
    assert not frames[n_frames:].any()  # rows past the block's frames are zeroed, not left as garbage
