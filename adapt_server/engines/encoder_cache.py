"""Encoder outputs shared between Whisper engines whose encoders are identical.

A fine-tune that keeps the encoder frozen (the default strategy) changes only the decoder, so every share of a
weight interpolation between the base and the tuned model (training/interpolation.py) encodes a window exactly
as the base does. With one `EncoderCache` given to each of those engines, each window is encoded once and the
later engines only decode. The owner guarantees that the engines sharing a cache have the same encoder weights
and compute type; the cache cannot check it.

    cache = EncoderCache()
    engine = WhisperEngine(path, "share-0.4", encoder_cache=cache)

Memory: one float32 (frames, d_model) array per distinct (window audio, encoder length): 2.3 MB for a 30-s window
of tiny (d_model 384), 7.7 MB for large-v3 (1280). The cache lives as long as its owner keeps it.
Thread-safe.
"""
from __future__ import annotations

import hashlib
import threading

import numpy as np


class EncoderCache:
    """(window audio, encoder seconds, mel bins) -> encoder output, float32 (frames, d_model)."""

    def __init__(self) -> None:
        self._outputs: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(clip: np.ndarray, context_s: int, n_mels: int) -> tuple:
        """The key of one window: float32 (n,) audio at 16 kHz, encoded over context_s seconds with n_mels bins."""
        digest = hashlib.blake2b(np.ascontiguousarray(clip, dtype=np.float32).tobytes(), digest_size=16).digest()
        return digest, int(clip.size), int(context_s), int(n_mels)

    def get(self, key: tuple) -> np.ndarray | None:
        with self._lock:
            found = self._outputs.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
            return found

    def put(self, key: tuple, encoded: np.ndarray) -> None:
        """Stores one window's encoder output (kept read-only: engines share it)."""
        encoded = np.array(encoded, dtype=np.float32)
        encoded.setflags(write=False)
        with self._lock:
            self._outputs.setdefault(key, encoded)

    def __len__(self) -> int:
        with self._lock:
            return len(self._outputs)
