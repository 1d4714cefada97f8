"""Qwen3-ForcedAligner (`Qwen3ASRForTokenClassification`) as a `WordAligner`: known words -> word times.

The aligner's input is the audio followed by every word and two <timestamp> markers after each; the model
classifies each marker into a time class (`timestamp_segment_time`, 80 ms per class) - a word's start and end.
transformers' processor fixes non-monotonic predictions (longest increasing subsequence, then interpolation).

Words are the window's words as written; the aligner sees each word with its punctuation removed (letters,
digits and apostrophes kept, as its processor's `split_words_for_alignment` does). A word with nothing left
(a lone dash) gets a zero-length time at the end of the word before it. Times are clipped to the window and
made non-decreasing; confidence is the mean probability of the two predicted classes.
"""
from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence

import numpy as np

from adapt_server.engines.inputs import checked_audio
from adapt_server.engines.protocol import AlignmentWindow
from adapt_server.engines.transformers.families import SAMPLE_RATE
from adapt_server.spans import Word


def alignment_text(word: str) -> str:
    """What the aligner sees of a word: letters, digits (any script) and apostrophes."""
    return "".join(char for char in word if char == "'" or unicodedata.category(char)[0] in "LN")


class Qwen3ForcedAligner:
    """A loaded Qwen3-ForcedAligner. Thread-safe (model calls are serialized)."""

    def __init__(self, model, processor, model_id: str, device: str, dtype: str):
        self.model = model
        self.processor = processor
        self.model_id = model_id
        self.device = device
        self.dtype = dtype
        self.segment_s = processor.timestamp_segment_time / 1000.0  # seconds per time class
        self._lock = threading.Lock()

    def align_words(self, samples: np.ndarray, windows: Sequence[AlignmentWindow]) -> list[list[Word]]:
        """samples: float32 (n,) at 16 kHz. One list per window, one Word per window word (recording times)."""
        audio = checked_audio(samples, 0)
        return [self._align_window(audio, window) for window in windows]

    def _align_window(self, audio: np.ndarray, window: AlignmentWindow) -> list[Word]:
        if window.end < window.start or window.end - window.start > 30.0 + 1e-6:
            raise ValueError(f"alignment window {window.start}..{window.end} s must be 0..30 s long")
        if not window.words:
            return []
        first = max(0, int(round(window.start * SAMPLE_RATE)))
        clip = audio[first:max(first + 1, int(round(window.end * SAMPLE_RATE)))]
        texts = [alignment_text(word) for word in window.words]
        aligned = [index for index, text in enumerate(texts) if text]
        times: dict[int, tuple[float, float, float]] = {}
        if aligned and clip.size:
            for index, timed in zip(aligned, self._times(clip, [texts[i] for i in aligned])):
                times[index] = timed
        duration = clip.size / SAMPLE_RATE
        words, cursor = [], 0.0
        for index, word in enumerate(window.words):
            start, end, confidence = times.get(index, (cursor, cursor, 0.0))
            start = min(max(start, cursor), duration)
            end = min(max(end, start), duration)
            words.append(Word(start=window.start + start, end=window.start + end, text=word, confidence=confidence))
            cursor = start
        return words

    def _times(self, clip: np.ndarray, words: list[str]) -> list[tuple[float, float, float]]:
        """(start, end, confidence) per word, seconds from the clip's start."""
        import torch

        content = [{"type": "audio", "audio": clip}] + [{"type": "text", "text": word} for word in words]
        inputs = self.processor.apply_chat_template([[{"role": "user", "content": content}]], tokenize=True,
                                                    return_dict=True)
        inputs = {name: value.to(self.model.device, self.model.dtype) if value.is_floating_point()
                  else value.to(self.model.device) for name, value in inputs.items() if hasattr(value, "to")}
        with self._lock, torch.inference_mode():
            logits = self.model(**{name: value for name, value in inputs.items()
                                   if name in ("input_ids", "attention_mask", "input_features",
                                               "input_features_mask")}).logits.float()
        marker = inputs["input_ids"][0] == self.model.config.timestamp_token_id
        probabilities = logits[0][marker].softmax(-1).max(-1).values.cpu().numpy()
        timed = self.processor.decode_forced_alignment(logits, inputs["input_ids"], [words],
                                                       self.model.config.timestamp_token_id)[0]
        return [(float(item["start_time"]), float(item["end_time"]),
                 float(np.clip((probabilities[2 * i] + probabilities[2 * i + 1]) / 2, 0.0, 1.0)))
                for i, item in enumerate(timed)]
