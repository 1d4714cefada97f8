"""Endpointing for streams: is the caller speaking, and has an utterance ended?

An energy detector over 20 ms frames with an adaptive noise floor: a frame is speech when its RMS is
12 dB above the floor and above an absolute minimum (-50 dBFS). It is cheap (a few microseconds per frame)
and what endpointing needs: it only has to say when a run of speech is followed by `endpoint_silence_s` of
non-speech. Recognition quality does not depend on it (the recognizer sees the whole utterance buffer).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE

FRAME_S = 0.02
FRAME_SAMPLES = int(FRAME_S * TARGET_SAMPLE_RATE)   # 320 samples at 16 kHz
SPEECH_OVER_FLOOR = 10 ** (12 / 20)                  # 12 dB above the noise floor
MIN_SPEECH_RMS = 10 ** (-50 / 20)                    # -50 dBFS
FLOOR_RISE_PER_FRAME = 10 ** (0.05 / 20)             # the floor rises at most 2.5 dB/s (adapts to noise)
MIN_SPEECH_FRAMES = 3                                # 60 ms of speech starts an utterance


@dataclass
class EndpointState:
    speech_frames: int = 0        # speech frames in the current utterance
    trailing_silence_s: float = 0.0
    last_speech_end_s: float = 0.0  # stream time (s) of the end of the last speech frame


class EnergyEndpointer:
    """Feed 16 kHz float32 samples; read `in_utterance` and `trailing_silence_s`."""

    def __init__(self):
        self._floor = MIN_SPEECH_RMS
        self._carry = np.zeros(0, np.float32)
        self._frames_seen = 0
        self.state = EndpointState()

    @property
    def in_utterance(self) -> bool:
        return self.state.speech_frames >= MIN_SPEECH_FRAMES

    def accept(self, samples: np.ndarray) -> None:
        data = np.concatenate([self._carry, samples]) if self._carry.size else samples
        n = data.size // FRAME_SAMPLES
        self._carry = data[n * FRAME_SAMPLES:].copy()
        if n == 0:
            return
        frames = data[: n * FRAME_SAMPLES].reshape(n, FRAME_SAMPLES)
        rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
        for value in rms:
            self._frames_seen += 1
            is_speech = value > max(self._floor * SPEECH_OVER_FLOOR, MIN_SPEECH_RMS)
            self._floor = min(self._floor * FLOOR_RISE_PER_FRAME, max(value, 1e-6))
            if is_speech:
                self.state.speech_frames += 1
                self.state.trailing_silence_s = 0.0
                self.state.last_speech_end_s = self._frames_seen * FRAME_S
            elif self.state.speech_frames:
                self.state.trailing_silence_s += FRAME_S

    def reset_utterance(self) -> None:
        """Starts looking for the next utterance (after a final)."""
        self.state = EndpointState(last_speech_end_s=self.state.last_speech_end_s)
