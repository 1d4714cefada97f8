"""Whisper's audio front-end constants, each derived from the ones above it (openai/whisper style).

Every model in the Whisper family was trained on exactly these values; changing any of them makes the
features unreadable to the model.
"""


def _exact_div(numerator: int, denominator: int) -> int:
    """``numerator // denominator``, refusing a remainder (a constant that does not divide is a bug here)."""
    if numerator % denominator != 0:
        raise ValueError(f"{numerator} is not a multiple of {denominator}")
    return numerator // denominator


SAMPLE_RATE = 16000  # Hz: audio must be resampled to this before the front-end
N_FFT = 400  # samples per STFT frame (25 ms at SAMPLE_RATE)
HOP_LENGTH = 160  # samples between frame starts (10 ms at SAMPLE_RATE)
CHUNK_LENGTH = 30  # seconds of audio in one encoder window

N_SAMPLES = CHUNK_LENGTH * SAMPLE_RATE  # 480000 samples in one 30-s window
N_FRAMES = _exact_div(N_SAMPLES, HOP_LENGTH)  # 3000 log-mel frames in one 30-s window
N_FREQ_BINS = N_FFT // 2 + 1  # 201 bins of a real FFT of one frame (0 Hz ... SAMPLE_RATE / 2)
FRAMES_PER_SECOND = _exact_div(SAMPLE_RATE, HOP_LENGTH)  # 100 frames/s (10 ms per frame)

N_MELS_CHOICES = (80, 128)  # mel bins: 80 for tiny ... large-v2, 128 for large-v3 / turbo

N_SAMPLES_PER_TOKEN = HOP_LENGTH * 2  # 320 samples per encoder position (the conv front-end halves the frames)
TOKENS_PER_SECOND = _exact_div(SAMPLE_RATE, N_SAMPLES_PER_TOKEN)  # 50 encoder positions per second
TIME_PRECISION_S = 1 / TOKENS_PER_SECOND  # 0.02 s per timestamp token step (<|0.00|>, <|0.02|>, ...)

N_TEXT_CTX = 448  # decoder positions: prompt + generated tokens
MAX_TEXT_TOKENS = N_TEXT_CTX - 8  # 440 text tokens fit beside the start sequence, two timestamps and the end token

MEDIAN_FILTER_WIDTH = 7  # frames: smoothing of the cross-attention weights before DTW word timing
