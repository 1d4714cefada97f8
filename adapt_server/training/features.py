"""Training features: the serving front-end (adapt_kernels' numba log-mel), audio zero-padded to 30 s.

Serving (`engines/whisper.py`) featurizes each window with the same `log_mel_spectrogram(clip, n_mels,
padding=target - clip.size)`; at a 30-s target the features are bit-identical to these. By default the engine
encodes `window + encoder_padding_s` (10 s, rounded up to 2 s) instead of 30 s, and re-decodes with the full 30 s
when a window fails the quality checks. Whisper's encoder (and transformers' WhisperEncoder, which requires
3000 frames) is trained on 30-s windows, so training uses 30 s; a tuned model served with the engine's default
shorter window was measured to transcribe as well as with 30 s (holdout WER 0.2165 vs 0.2147; docs/training.md).
"""
from __future__ import annotations

import numpy as np
from adapt_kernels.mel import log_mel_spectrogram
from adapt_kernels.whisper_constants import N_FRAMES, N_SAMPLES, SAMPLE_RATE

MAX_UTTERANCE_S = N_SAMPLES / SAMPLE_RATE  # 30 s: longer training utterances are refused


def training_features(samples: np.ndarray, n_mels: int = 80) -> np.ndarray:
    """float32 (n_mels, 3000) log-mel of mono 16-kHz samples (n_samples <= 480000), audio zero-padded to 30 s."""
    samples = np.ascontiguousarray(samples, dtype=np.float32)
    if samples.ndim != 1 or samples.size == 0 or samples.size > N_SAMPLES:
        raise ValueError(f"training audio must be mono with 1..{N_SAMPLES} samples (<= 30 s at 16 kHz); "
                         f"got shape {samples.shape}")
    features = log_mel_spectrogram(samples, n_mels, padding=N_SAMPLES - samples.size)
    assert features.shape[1] == N_FRAMES
    return features
