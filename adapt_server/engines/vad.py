"""Voice activity detection (Silero VAD v6, ONNX) and the cutting of speech into <= 30-s decoding windows.

The weights are the `silero-vad` pip package's *sequence* export (`silero_vad_16k_sequence.onnx`), which
runs the LSTM over a whole block of 32-ms frames in one onnxruntime call (the stock export needs one call
per frame). The package is located without importing it: its `__init__` imports torch, which the ONNX
path does not need. Frame framing follows silero-vad's `sequence_vad.py` (MIT): each 512-sample frame is
prefixed by the last 64 samples of the previous one.

Times are seconds at 16 kHz; a frame is FRAME_SAMPLES samples (32 ms).
"""
from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.engines.options import VadOptions

SAMPLE_RATE = TARGET_SAMPLE_RATE  # Hz: the only rate the 16-kHz export takes
FRAME_SAMPLES = 512  # samples per VAD frame (32 ms at 16 kHz)
CONTEXT_SAMPLES = 64  # samples of the previous frame prefixed to each frame
FRAME_S = FRAME_SAMPLES / SAMPLE_RATE  # 0.032 s
BLOCK_FRAMES = 4096  # frames per onnxruntime call (~131 s of audio, ~9.4 MB of input)
STATE_SIZE = 128  # LSTM hidden/cell size of the v6 model
MAX_WINDOW_S = 30.0  # seconds: Whisper's window
_MODEL_FILE = "silero_vad_16k_sequence.onnx"


@dataclass(frozen=True)
class Window:
    """A stretch of audio decoded as one Whisper window: `start_s`..`end_s` (<= MAX_WINDOW_S long), holding
    the speech `regions` (seconds, on the audio's timeline); pauses between regions stay in the window."""

    start_s: float
    end_s: float
    regions: tuple[tuple[float, float], ...]

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def sample_range(self, n_samples: int) -> tuple[int, int]:
        """(first, last + 1) sample indices at 16 kHz, clipped to the audio."""
        first = max(0, int(round(self.start_s * SAMPLE_RATE)))
        return first, max(first + 1, min(n_samples, int(round(self.end_s * SAMPLE_RATE))))


def silero_model_path() -> Path:
    """The sequence ONNX file inside the installed `silero-vad` package (its __init__ is not run)."""
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the silero-vad package is not installed: `pip install silero-vad` (no extras)")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / _MODEL_FILE
    if not path.is_file():
        raise RuntimeError(f"{path} is missing: reinstall silero-vad (version 6 ships the sequence model)")
    return path


class SileroVad:
    """Per-frame speech probabilities of 16-kHz audio. Thread-safe: onnxruntime sessions allow concurrent
    `run` calls, and each call carries its own LSTM state."""

    def __init__(self, model_path: Path | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1  # a small LSTM: one thread, no contention with the decoder
        options.log_severity_level = 3  # the export has unused initializers onnxruntime warns about
        self.session = onnxruntime.InferenceSession(str(model_path or silero_model_path()), sess_options=options,
                                                    providers=["CPUExecutionProvider"])

    def speech_probabilities(self, audio: np.ndarray, between_blocks: Callable[[], None] | None = None) -> np.ndarray:
        """audio: float32 (n_samples,) at 16 kHz. Returns float32 (ceil(n_samples / 512),): the speech
        probability of each 32-ms frame (the last frame is zero-padded). between_blocks() runs before each
        onnxruntime call (a caller's cancellation check may raise there)."""
        samples = np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
        n_frames = -(-samples.size // FRAME_SAMPLES)
        if n_frames == 0:
            return np.zeros(0, dtype=np.float32)
        padded = np.zeros(n_frames * FRAME_SAMPLES, dtype=np.float32)
        padded[:samples.size] = samples
        frames = np.zeros((n_frames, CONTEXT_SAMPLES + FRAME_SAMPLES), dtype=np.float32)
        frames[:, CONTEXT_SAMPLES:] = padded.reshape(n_frames, FRAME_SAMPLES)
        frames[1:, :CONTEXT_SAMPLES] = frames[:-1, -CONTEXT_SAMPLES:]
        hidden = np.zeros((1, 1, STATE_SIZE), dtype=np.float32)
        cell = np.zeros((1, 1, STATE_SIZE), dtype=np.float32)
        out = np.empty(n_frames, dtype=np.float32)
        for first in range(0, n_frames, BLOCK_FRAMES):
            if between_blocks is not None:
                between_blocks()
            block = frames[first:first + BLOCK_FRAMES]
            probabilities, hidden, cell = self.session.run(["speech_probs", "hn", "cn"],
                                                           {"input": block, "h": hidden, "c": cell})
            out[first:first + block.shape[0]] = probabilities.reshape(-1)
        return out


_model_lock = threading.Lock()


@lru_cache(maxsize=1)
def _shared_vad() -> SileroVad:
    return SileroVad()


def shared_vad() -> SileroVad:
    """One process-wide SileroVad (loaded on first use, ~5 ms)."""
    with _model_lock:
        return _shared_vad()


def speech_regions(audio16k: np.ndarray, threshold: float = 0.5, min_silence_s: float = 0.5,
                   speech_pad_s: float = 0.4, min_speech_s: float = 0.1, neg_threshold: float | None = None,
                   max_region_s: float = MAX_WINDOW_S) -> list[tuple[float, float]]:
    """Speech in `audio16k` (float32 (n_samples,), 16 kHz) as sorted, disjoint (start_s, end_s) regions.

    A region starts at a frame with probability >= threshold and ends after min_silence_s below
    neg_threshold (default threshold - 0.15); regions shorter than min_speech_s are dropped; regions are
    padded by speech_pad_s (halving the gap where two pads would overlap) and cut at their quietest frame
    so that none is longer than max_region_s.
    """
    options = VadOptions(threshold=threshold, neg_threshold=neg_threshold, min_speech_s=min_speech_s,
                         min_silence_s=min_silence_s, speech_pad_s=speech_pad_s)
    options.validate()
    probabilities = shared_vad().speech_probabilities(audio16k)
    return regions_from_probabilities(probabilities, np.asarray(audio16k).size / SAMPLE_RATE, options,
                                      max_region_s)


def regions_from_probabilities(probabilities: np.ndarray, duration_s: float, options: VadOptions,
                               max_region_s: float = MAX_WINDOW_S) -> list[tuple[float, float]]:
    """Pure: per-frame speech probabilities (32-ms frames) -> padded speech regions in seconds (see
    `speech_regions`), each at most max_region_s long and inside [0, duration_s]."""
    raw = unpadded_regions(probabilities, duration_s, options, max_region_s)
    return pad_regions(raw, options.speech_pad_s, duration_s)


def unpadded_regions(probabilities: np.ndarray, duration_s: float, options: VadOptions,
                     max_region_s: float = MAX_WINDOW_S) -> list[tuple[float, float]]:
    """Pure: the speech regions (seconds) before padding: hysteresis between threshold and neg_threshold,
    min_silence_s to end a region, min_speech_s to keep one, cut at the quietest frame so that the region
    padded by speech_pad_s on both sides stays within max_region_s."""
    if max_region_s <= 2 * options.speech_pad_s + FRAME_S:
        raise ValueError(f"max_region_s ({max_region_s} s) must exceed twice speech_pad_s plus one frame")
    high = options.threshold
    low = options.neg_threshold if options.neg_threshold is not None else max(high - 0.15, 0.01)
    min_silence_frames = options.min_silence_s / FRAME_S
    raw: list[tuple[int, int]] = []  # [first, end) frames
    start, silence_start = None, None
    for index, probability in enumerate(probabilities):
        if start is None:
            if probability >= high:
                start, silence_start = index, None
            continue
        if probability >= high:
            silence_start = None
        elif probability < low:
            silence_start = index if silence_start is None else silence_start
            if index - silence_start >= min_silence_frames:
                raw.append((start, silence_start))
                start, silence_start = None, None
    if start is not None:
        raw.append((start, silence_start if silence_start is not None else len(probabilities)))
    min_frames = options.min_speech_s / FRAME_S
    raw = [(first, end) for first, end in raw if end - first >= min_frames]
    max_frames = int((max_region_s - 2 * options.speech_pad_s) / FRAME_S)
    split: list[tuple[int, int]] = []
    for first, end in raw:
        split.extend(_split_at_pauses(probabilities, first, end, max_frames))
    return [(first * FRAME_S, min(end * FRAME_S, duration_s)) for first, end in split if first * FRAME_S < duration_s]


def _split_at_pauses(probabilities: np.ndarray, first: int, end: int, max_frames: int) -> list[tuple[int, int]]:
    """Cuts [first, end) frames into pieces of at most max_frames, each cut at the least speech-like frame
    of the second half of the allowed span (a breath or short pause)."""
    pieces = []
    while end - first > max_frames:
        search = probabilities[first + max_frames // 2:first + max_frames]
        cut = first + max_frames // 2 + int(np.argmin(search))
        pieces.append((first, cut))
        first = cut
    pieces.append((first, end))
    return pieces


def pad_regions(regions: list[tuple[float, float]], pad_s: float, duration_s: float) -> list[tuple[float, float]]:
    """Each region widened by pad_s on both sides, within [0, duration_s]; where two pads would overlap,
    each takes half of the gap."""
    padded = []
    for index, (start, end) in enumerate(regions):
        before = pad_s if index == 0 else min(pad_s, (start - regions[index - 1][1]) / 2)
        after = pad_s if index == len(regions) - 1 else min(pad_s, (regions[index + 1][0] - end) / 2)
        padded.append((max(0.0, start - before), min(duration_s, end + after)))
    return [(start, end) for start, end in padded if end > start]


def pack_windows(regions: list[tuple[float, float]], max_window_s: float = MAX_WINDOW_S) -> list[Window]:
    """Groups sorted speech regions into windows of at most max_window_s, each cut between two regions (at
    a pause); a region longer than max_window_s (only possible when not from `speech_regions`) is cut
    into max_window_s pieces."""
    windows: list[Window] = []
    current: list[tuple[float, float]] = []
    for start, end in regions:
        while end - start > max_window_s:
            if current:
                windows.append(_window(current))
                current = []
            windows.append(_window([(start, start + max_window_s)]))
            start += max_window_s
        if current and end - current[0][0] > max_window_s:
            windows.append(_window(current))
            current = []
        current.append((start, end))
    if current:
        windows.append(_window(current))
    return windows


def _window(regions: list[tuple[float, float]]) -> Window:
    return Window(start_s=regions[0][0], end_s=regions[-1][1], regions=tuple(regions))


def non_speech_regions(speech: list[tuple[float, float]], duration_s: float,
                       min_gap_s: float = 0.0) -> list[tuple[float, float]]:
    """The complement of sorted, disjoint speech regions within [0, duration_s]: the gaps at least
    min_gap_s long (and longer than 0)."""
    gaps = []
    cursor = 0.0
    for start, end in speech:
        if start - cursor >= min_gap_s and start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if duration_s - cursor >= min_gap_s and duration_s > cursor:
        gaps.append((cursor, duration_s))
    return gaps


def expand_windows(windows: list[Window], duration_s: float, max_window_s: float = MAX_WINDOW_S) -> list[Window]:
    """Grows each window into the non-speech around it (up to the middle of the gap to a neighbouring
    window, or to the audio's edge), as far as max_window_s allows, before first then after.

    Speech the detector scored below its threshold (a quiet "hello" before a loud sentence) is then still
    decoded when it is near detected speech, and an input of at most max_window_s with any detected speech
    is decoded whole, as a model without VAD would.
    """
    grown = []
    for index, window in enumerate(windows):
        lowest = 0.0 if index == 0 else (windows[index - 1].end_s + window.start_s) / 2
        highest = duration_s if index == len(windows) - 1 else (window.end_s + windows[index + 1].start_s) / 2
        budget = max(0.0, max_window_s - window.duration_s)
        before = min(window.start_s - lowest, budget / 2)
        after = min(highest - window.end_s, budget - before)
        before = min(window.start_s - lowest, budget - after)
        grown.append(Window(start_s=max(0.0, window.start_s - before), end_s=min(duration_s, window.end_s + after),
                            regions=window.regions))
    return grown


def decoding_windows(regions: list[tuple[float, float]], duration_s: float,
                     max_window_s: float = MAX_WINDOW_S) -> list[Window]:
    """The windows the engine decodes: padded speech regions (`speech_regions`) packed into windows of at
    most max_window_s cut at pauses, then grown into the non-speech around them (`expand_windows`).
    A window's start_s is its offset in the recording."""
    return expand_windows(pack_windows(regions, max_window_s), duration_s, max_window_s)
