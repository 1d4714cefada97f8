"""resemblyzer's pretrained d-vector speaker encoder (GE2E, 3-layer LSTM, 256-dim), run on many windows.

The weights are the `pretrained.pt` the `resemblyzer` pip package ships. We load them into a torch LSTM of
the same shape ourselves instead of importing `resemblyzer.VoiceEncoder`: the package's `__init__` imports
`resemblyzer.audio`, which imports `webrtcvad` (fails on this Python: it needs the removed `pkg_resources`)
and librosa (~1 s to import); and its `embed_utterance` embeds one utterance at a time, while diarization
embeds hundreds of overlapping windows, which run here as one batched LSTM call (`embed_windows`).

A window is PARTIAL_FRAMES mel frames (1.6 s, the length the encoder was trained on); its embedding is the
ReLU'd, L2-normalized projection of the LSTM's last hidden state, so embeddings are non-negative unit
vectors and cosine similarity is a dot product.
"""
from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from adapt_server.errors import FailedPrecondition
from adapt_server.intake.diarization.mel import N_MELS, power_mel_spectrogram

PARTIAL_FRAMES = 160  # mel frames per window (1.6 s): resemblyzer's `partials_n_frames`
HIDDEN_SIZE = 256  # LSTM hidden units (model_hidden_size)
EMBEDDING_SIZE = 256  # d-vector dimensions (model_embedding_size)
NUM_LAYERS = 3  # LSTM layers (model_num_layers)
NORM_TARGET_DBFS = -30.0  # resemblyzer raises quiet audio to this RMS level before the mel (increase only)
BATCH_WINDOWS = 256  # windows per LSTM call: bounds memory (256 x 160 x 40 floats in, 256 x 1024 gates)


def resemblyzer_weights_path() -> Path:
    """`pretrained.pt` inside the installed resemblyzer package, found without importing the package."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        raise FailedPrecondition("the embedded diarizer needs the resemblyzer package for its speaker encoder "
                                 "weights: `pip install resemblyzer`")
    path = Path(next(iter(spec.submodule_search_locations))) / "pretrained.pt"
    if not path.is_file():
        raise FailedPrecondition(f"{path} is missing: reinstall resemblyzer (it ships the encoder weights)")
    return path


class SpeakerEncoder:
    """d-vectors of fixed-length mel windows. Thread-safe for concurrent `embed_windows` calls (torch
    modules in eval mode under no_grad); runs at the process's torch thread setting (see
    adapt_kernels.threads.apply_thread_budget)."""

    def __init__(self, weights_path: Path | None = None):
        import torch

        checkpoint = torch.load(weights_path or resemblyzer_weights_path(), map_location="cpu", weights_only=True)
        state = checkpoint["model_state"]
        self._lstm = torch.nn.LSTM(N_MELS, HIDDEN_SIZE, NUM_LAYERS, batch_first=True)
        self._linear = torch.nn.Linear(HIDDEN_SIZE, EMBEDDING_SIZE)
        self._lstm.load_state_dict({key[len("lstm."):]: value for key, value in state.items()
                                    if key.startswith("lstm.")})
        self._linear.load_state_dict({key[len("linear."):]: value for key, value in state.items()
                                      if key.startswith("linear.")})
        self._lstm.eval()
        self._linear.eval()

    def embed_windows(self, mel: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """mel: float32 (n_frames, N_MELS) from `mel_spectrogram`; starts: int (n_windows,) first frame of each
        window (a window reaching past the end is zero-padded). Returns float32 (n_windows, EMBEDDING_SIZE)
        unit-norm d-vectors."""
        import torch

        starts = np.asarray(starts, dtype=np.int64).reshape(-1)
        if starts.size == 0:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        padded = mel
        needed = int(starts.max()) + PARTIAL_FRAMES
        if needed > mel.shape[0]:
            padded = np.concatenate([mel, np.zeros((needed - mel.shape[0], N_MELS), dtype=np.float32)])
        windows = np.lib.stride_tricks.sliding_window_view(padded, PARTIAL_FRAMES, axis=0)  # (n, N_MELS, 160)
        out = np.empty((starts.size, EMBEDDING_SIZE), dtype=np.float32)
        with torch.inference_mode():
            for first in range(0, starts.size, BATCH_WINDOWS):
                batch = np.ascontiguousarray(windows[starts[first:first + BATCH_WINDOWS]].transpose(0, 2, 1))
                _, (hidden, _) = self._lstm(torch.from_numpy(batch))
                raw = torch.relu(self._linear(hidden[-1]))
                out[first:first + batch.shape[0]] = torch.nn.functional.normalize(raw, dim=1).numpy()
        return out


def mel_spectrogram(audio16k: np.ndarray) -> np.ndarray:
    """float32 (n_samples,) at 16 kHz -> the encoder's input, float32 (n_frames, N_MELS): the power mel of the
    audio raised to NORM_TARGET_DBFS RMS when quieter (resemblyzer's `normalize_volume(increase_only=True)`;
    the encoder sees a linear, not log, spectrogram, so the level matters)."""
    samples = np.asarray(audio16k, dtype=np.float32).reshape(-1)
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    if rms > 0:
        gain_db = NORM_TARGET_DBFS - 20 * np.log10(rms)
        if gain_db > 0:
            samples = samples * np.float32(10 ** (gain_db / 20))
    return power_mel_spectrogram(samples)


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _shared_encoder() -> SpeakerEncoder:
    return SpeakerEncoder()


def shared_encoder() -> SpeakerEncoder:
    """One process-wide SpeakerEncoder (loaded on first use, ~50 ms)."""
    with _lock:
        return _shared_encoder()
