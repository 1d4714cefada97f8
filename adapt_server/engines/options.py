"""Options of one transcription: voice activity detection and Whisper decoding (frozen value objects).

`DecodeOptions.validate()` raises `InvalidDecodeOptions` (a ValueError) naming the field and its allowed
range; the API layer maps it to INVALID_ARGUMENT. Defaults follow openai/whisper and faster-whisper.
"""
from __future__ import annotations

import math
from adapt_server.errors import echo
from dataclasses import dataclass, field

from adapt_kernels.whisper_constants import N_TEXT_CTX

MAX_BEAM_SIZE = 32  # beams (or samples) per window; more only costs time
MAX_TEMPERATURE = 2.0  # softmax temperature; above this sampling is noise
MAX_NEW_TOKENS = N_TEXT_CTX - 4  # 444: Whisper's decoder holds 448 positions; 4 are needed for the start sequence
MAX_PROMPT_CHARACTERS = 2000  # initial_prompt/hotwords are truncated to half the decoder anyway
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                 "bfloat16", "float32")  # CTranslate2's compute types; which run depends on the device
MAX_ENCODER_PADDING_S = 30.0  # seconds: a Whisper window is 30 s
# The tokens one window may generate when DecodeOptions.max_new_tokens is None: speech runs at ~3-5 tokens/s
# (the fastest of ../shared/realspeech/asr's references: 7.5 text tokens/s), so a decoding that goes past this
# bound is stuck in a repetition loop, and stopping it early saves up to 448 tokens per attempt of the fallback
# ladder (a 10.8-s window cut mid-word: 3.4 s at temperature 0 unbounded, 0.5 s bounded; whisper-tiny.en, CPU).
MAX_TOKENS_PER_SECOND = 15  # per second of the window (including Whisper's timestamp tokens) ...
MIN_NEW_TOKENS = 16  # ... plus this many


def window_token_budget(options: "DecodeOptions", longest_s: float) -> int:
    """Tokens each window of a batch may generate: options.max_new_tokens when given, else MIN_NEW_TOKENS +
    MAX_TOKENS_PER_SECOND per second of the batch's longest window (`longest_s`, seconds of audio). Engines cap
    it further by their decoder's length."""
    if options.max_new_tokens is not None:
        return options.max_new_tokens
    return MIN_NEW_TOKENS + math.ceil(MAX_TOKENS_PER_SECOND * max(0.0, longest_s))


class InvalidDecodeOptions(ValueError):
    """An option is out of range; `field` names it (e.g. "beam_size", "vad.threshold")."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class VadOptions:
    """Silero voice activity detection, which finds the speech that is decoded (long-form windows)."""

    threshold: float = 0.5  # speech probability (0..1) at or above which a 32-ms frame starts speech
    neg_threshold: float | None = None  # probability below which speech ends; None: threshold - 0.15
    min_speech_s: float = 0.1  # seconds: shorter speech bursts are dropped (clicks, breaths)
    min_silence_s: float = 0.5  # seconds of silence that end a speech region (shorter pauses are kept inside)
    speech_pad_s: float = 0.4  # seconds added before and after each region, so word edges are not clipped

    def validate(self) -> None:
        _check_range("vad.threshold", self.threshold, 0.0, 1.0, low_open=True)
        if self.neg_threshold is not None:
            _check_range("vad.neg_threshold", self.neg_threshold, 0.0, self.threshold)
        _check_range("vad.min_speech_s", self.min_speech_s, 0.0, 10.0)
        _check_range("vad.min_silence_s", self.min_silence_s, 0.0, 10.0)
        _check_range("vad.speech_pad_s", self.speech_pad_s, 0.0, 2.0)


@dataclass(frozen=True)
class DecodeOptions:
    """How Whisper decodes each window of speech.

    Decoding runs at `temperatures[0]` (0: beam search with `beam_size`); a window whose result fails the
    quality checks (compression ratio, average log-probability) is decoded again at the next temperature
    (sampling `best_of` candidates), up to the last one, and the best result is kept.
    """

    beam_size: int = 5  # beams at temperature 0 (1: greedy)
    best_of: int = 5  # candidates sampled at each temperature > 0; the most probable one is kept
    patience: float = 1.0  # beam search stops after beam_size * patience finished hypotheses (> 0)
    length_penalty: float = 1.0  # exponent on the hypothesis length when ranking beams (1: average log-prob)
    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)  # fallback ladder, non-decreasing, 0..2
    compression_ratio_threshold: float | None = 2.4  # zlib ratio of the text above which it is a repetition
    # loop (fallback); None disables the check
    log_prob_threshold: float | None = -1.0  # average token log-probability (nats) below which the result
    # is rejected (fallback); None disables the check
    no_speech_threshold: float | None = 0.6  # probability of <|nospeech|> (0..1) above which a window with
    # an average log-prob under log_prob_threshold is judged silence and dropped; None disables the check
    word_timestamps: bool = True  # word start/end times (cross-attention alignment) and word confidences
    without_timestamps: bool = False  # True: decode with <|notimestamps|> (fewer tokens; a window's text is
    # split into segments at sentence ends). False: Whisper's timestamp tokens delimit segments, and a window
    # the decoder stops early in is continued from its last timestamp (openai/whisper's seek)
    initial_prompt: str | None = None  # text given as previous context to every window (spelling, style)
    hotwords: str | None = None  # words to favour, given as previous context (after initial_prompt)
    language: str = "en"  # language code spoken in the audio; English-only models accept only "en"; "" lets a
    # model that can (multilingual Whisper, Qwen3-ASR, Voxtral) detect it and report it in Transcription.language
    max_new_tokens: int | None = None  # tokens generated per window at most (None: by the window's length,
    # window_token_budget, at most the decoder's 448 positions)
    repetition_penalty: float = 1.0  # > 1 penalizes tokens already generated (1: off)
    no_repeat_ngram_size: int = 0  # forbid repeating any n-gram of this many tokens (0: off)
    suppress_blank: bool = True  # forbid a blank/end token as the first generated token
    suppress_tokens: tuple[int, ...] = (-1,)  # token ids never generated; -1: Whisper's non-speech symbols
    encoder_padding_s: float | None = 10.0  # seconds of silence appended after a window before encoding; the
    # encoder then sees window + padding (rounded up to 2 s, at most 30 s) instead of a full 30-s window,
    # which costs proportionally less. A window that fails the quality checks is decoded again with the
    # full 30 s before any temperature fallback. None: always 30 s (the openai/HF reference behaviour).
    vad: VadOptions = field(default_factory=VadOptions)  # how speech is found and cut into windows

    def validate(self) -> DecodeOptions:
        """Returns self when every field is in range, else raises InvalidDecodeOptions naming the field."""
        _check_int("beam_size", self.beam_size, 1, MAX_BEAM_SIZE)
        _check_int("best_of", self.best_of, 1, MAX_BEAM_SIZE)
        _check_range("patience", self.patience, 0.0, 10.0, low_open=True)
        _check_range("length_penalty", self.length_penalty, 0.0, 10.0)
        self._validate_temperatures()
        if self.compression_ratio_threshold is not None:
            _check_range("compression_ratio_threshold", self.compression_ratio_threshold, 0.0, 100.0,
                         low_open=True)
        if self.log_prob_threshold is not None:
            _check_range("log_prob_threshold", self.log_prob_threshold, -100.0, 0.0)
        if self.no_speech_threshold is not None:
            _check_range("no_speech_threshold", self.no_speech_threshold, 0.0, 1.0)
        _check_bool("word_timestamps", self.word_timestamps)
        _check_bool("without_timestamps", self.without_timestamps)
        _check_bool("suppress_blank", self.suppress_blank)
        for name in ("initial_prompt", "hotwords"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_PROMPT_CHARACTERS):
                raise InvalidDecodeOptions(name, f"must be text of at most {MAX_PROMPT_CHARACTERS} characters "
                                                 f"or None; got {_describe(value)}")
        if not isinstance(self.language, str) or not (self.language == "" or 2 <= len(self.language) <= 8):
            raise InvalidDecodeOptions("language", f"must be a language code such as 'en', or '' to detect it; got "
                                                   f"{echo(self.language)}")
        if self.max_new_tokens is not None:
            _check_int("max_new_tokens", self.max_new_tokens, 1, MAX_NEW_TOKENS)
        _check_range("repetition_penalty", self.repetition_penalty, 0.0, 10.0, low_open=True)
        _check_int("no_repeat_ngram_size", self.no_repeat_ngram_size, 0, 100)
        if not isinstance(self.suppress_tokens, tuple) or not all(
                isinstance(token, int) and not isinstance(token, bool) and token >= -1
                for token in self.suppress_tokens):
            raise InvalidDecodeOptions("suppress_tokens", "must be a tuple of token ids >= 0 (or -1 for Whisper's "
                                                          f"non-speech symbols); got {echo(self.suppress_tokens)}")
        if self.encoder_padding_s is not None:
            _check_range("encoder_padding_s", self.encoder_padding_s, 0.0, MAX_ENCODER_PADDING_S)
        if not isinstance(self.vad, VadOptions):
            raise InvalidDecodeOptions("vad", f"must be a VadOptions; got {_describe(self.vad)}")
        self.vad.validate()
        return self

    def _validate_temperatures(self) -> None:
        values = self.temperatures
        if not isinstance(values, tuple) or not values:
            raise InvalidDecodeOptions("temperatures", f"must be a non-empty tuple of numbers in [0, "
                                                       f"{MAX_TEMPERATURE}]; got {echo(values)}")
        for index, value in enumerate(values):
            _check_range(f"temperatures[{index}]", value, 0.0, MAX_TEMPERATURE)
        if any(later < earlier for earlier, later in zip(values, values[1:])):
            raise InvalidDecodeOptions("temperatures", f"must not decrease (a fallback ladder); got {echo(values)}")


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_bool(name: str, value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidDecodeOptions(name, f"must be true or false; got {_describe(value)}")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidDecodeOptions(name, f"must be an integer in [{low}, {high}]; got {_describe(value)}")


def _check_range(name: str, value: object, low: float, high: float, low_open: bool = False) -> None:
    number_ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not number_ok or not (low < value if low_open else low <= value) or value > high:
        bracket = "(" if low_open else "["
        raise InvalidDecodeOptions(name, f"must be a number in {bracket}{low}, {high}]; got {_describe(value)}")
