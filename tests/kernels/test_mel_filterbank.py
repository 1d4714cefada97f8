import numpy as np
import pytest
from transformers import WhisperFeatureExtractor

from adapt_kernels.mel_filterbank import mel_filters, sparse_mel_filters


@pytest.mark.parametrize("n_mels", [80, 128])
def test_mel_filters_equal_transformers_exactly(n_mels):
    expected = WhisperFeatureExtractor(feature_size=n_mels).mel_filters.T  # (n_mels, 201) float64
    filters = mel_filters(n_mels)
    assert filters.shape == (n_mels, 201)
    assert filters.dtype == np.float64
    np.testing.assert_array_equal(filters, expected)


def test_mel_filters_returns_a_fresh_array_each_call():
    first = mel_filters(80)
    first[:] = 0.0
    assert mel_filters(80).max() > 0.0


@pytest.mark.parametrize("n_mels", [80, 128])
def test_sparse_filters_rebuild_the_dense_float32_filters(n_mels):
    sparse = sparse_mel_filters(n_mels)
    rebuilt = np.zeros((n_mels, 201), dtype=np.float32)
    for mel in range(n_mels):
        start, count = sparse.first_bin[mel], sparse.n_bins[mel]
        rebuilt[mel, start : start + count] = sparse.weights[mel, :count]
        assert not sparse.weights[mel, count:].any()
    np.testing.assert_array_equal(rebuilt, mel_filters(n_mels).astype(np.float32))
    assert sparse.n_bins.sum() < 2 * 201  # each FFT bin feeds at most two neighbouring triangles


@pytest.mark.parametrize("bad", [0, -1, 202, 80.0, "80", True, None])
def test_invalid_n_mels_is_refused_with_the_accepted_range(bad):
    with pytest.raises(ValueError, match="n_mels must be an integer"):
        mel_filters(bad)
