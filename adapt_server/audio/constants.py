"""Audio constants of Adapt's normalized storage format, each derived from the ones above it.

Every recording a dataset imports is normalized once to 16 kHz mono PCM16 WAV (what Whisper-family models
consume); everything downstream (VAD, diarization, alignment, training, evaluation) reads that format.
"""
from __future__ import annotations

from adapt_kernels.whisper_constants import SAMPLE_RATE

TARGET_SAMPLE_RATE = SAMPLE_RATE  # 16000 Hz: the rate every model in Adapt consumes (Whisper's SAMPLE_RATE)
TARGET_CHANNELS = 1  # normalized audio is mono; multi-channel sources are downmixed or split on request

PCM16_SAMPLE_WIDTH = 2  # bytes per sample in the normalized WAV
PCM16_FULL_SCALE = 2 ** (8 * PCM16_SAMPLE_WIDTH - 1)  # 32768: float 1.0 <-> int16 full scale
PCM16_MAX = PCM16_FULL_SCALE - 1  # 32767: largest int16 value
NORMALIZED_BYTES_PER_SECOND = TARGET_SAMPLE_RATE * TARGET_CHANNELS * PCM16_SAMPLE_WIDTH  # 32000 bytes/s

SECONDS_PER_HOUR = 60 * 60
MAX_DURATION_S = 4 * SECONDS_PER_HOUR  # seconds: longest recording decode_audio accepts by default
MAX_TARGET_SAMPLES = MAX_DURATION_S * TARGET_SAMPLE_RATE  # samples at 16 kHz in MAX_DURATION_S (230.4 M)
