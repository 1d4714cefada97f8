"""`TransformersRecognizer`: the `Recognizer` of every transformers family (batched VAD windows -> processor ->
one `generate` per batch -> per-utterance Transcriptions).

Pipeline of `transcribe_batch` (as the CTranslate2 Whisper engine does it, reusing engines/vad.py):
1. Silero VAD finds each input's speech; regions are packed into <= 30-s windows cut at pauses and grown into the
   surrounding non-speech (an input of <= 30 s with any speech is one whole window). Inputs with no speech are
   not decoded.
2. Windows of all inputs, sorted by length (less padding), go in batches of `batch_size` through the family's
   processor (padded batch) and one `generate` call each: greedy or beam search at temperatures[0] == 0
   (beam_size), sampling at temperatures[0] > 0, always with a bounded max_new_tokens.
3. Each window with text becomes one Segment (window times; no word times: EngineInfo.word_timestamps is False,
   a WordAligner gives them). The language is the one asked for or, when "" and the family can, the detected one.

The fallback ladder and quality checks of the Whisper engine (compression ratio, log-prob, no-speech) are not
applied: these families have no no-speech token; avg_logprob and compression_ratio are still reported.
Thread-safety: one instance serves concurrent requests; model calls are serialized by a lock (one batch at a
time on the thread budget's cores is the most throughput a CPU gives).
"""
from __future__ import annotations

import math
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from adapt_server.engines.inputs import Cancel, check_cancelled, checked_audio
from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions, window_token_budget
from adapt_server.engines.protocol import EngineInfo
from adapt_server.engines.results import Segment, Transcription
from adapt_server.engines.transformers.families import MAX_WINDOW_S, SAMPLE_RATE, Family
from adapt_server.engines.transformers.prompts import FamilyCodec
from adapt_server.engines.transformers.runtime import check_batch_size
from adapt_server.engines.vad import (
    Window,
    decoding_windows,
    non_speech_regions,
    pad_regions,
    shared_vad,
    unpadded_regions,
)

DEFAULT_BATCH_SIZE = 8  # windows per generate call
DEFAULT_MAX_NEW_TOKENS = 256  # tokens per window when DecodeOptions.max_new_tokens is None (~30 s of fast speech),
# and at most options.window_token_budget of the batch's longest window
DEFAULT_OPTIONS = DecodeOptions()


@dataclass(frozen=True)
class WindowDecoding:
    """The decoding of one clip (window)."""

    tokens: tuple[int, ...]  # generated token ids (after the prompt and any forced prefix), up to (without) the
    # first end token
    text: str  # the transcript, markup removed
    language: str  # language code used or detected ("" unknown)
    avg_logprob: float  # mean log-probability (nats) per generated token


class TransformersRecognizer:
    """A loaded transformers speech model of one family (see the module docstring); built by
    `load_transformers_recognizer`."""

    def __init__(self, model, codec: FamilyCodec, family: Family, model_id: str, device: str, dtype: str,
                 languages: tuple[str, ...]):
        self.model = model
        self.codec = codec
        self.family = family
        self.model_id = model_id
        self.device = device
        self.dtype = dtype
        self.languages = languages
        self._lock = threading.Lock()

    @property
    def info(self) -> EngineInfo:
        return EngineInfo(model_id=self.model_id, family=self.family.model_type, backend="transformers",
                          device=self.device, dtype=self.dtype, languages=self.languages, word_timestamps=False,
                          native_streaming=self.family.native_streaming)

    def warmup(self) -> float:
        """Decodes one second of noise (4 tokens); returns seconds spent."""
        started = time.perf_counter()
        noise = np.random.default_rng(0).normal(0, 0.01, SAMPLE_RATE).astype(np.float32)
        self.decode_clips([noise], DecodeOptions(beam_size=1, max_new_tokens=4, language=self.default_language()))
        return time.perf_counter() - started

    def default_language(self) -> str:
        """"" when the family detects the language, else its first (cohere_asr: "en")."""
        return "" if self.family.detects_language or not self.languages else (
            "en" if "en" in self.languages else self.languages[0])

    def transcribe(self, audio: np.ndarray, options: DecodeOptions = DEFAULT_OPTIONS, *,
                   cancel: Cancel = None) -> Transcription:
        """float32 mono (n_samples,) at 16 kHz, any length -> its Transcription."""
        return self.transcribe_batch([audio], options, cancel=cancel)[0]

    def transcribe_batch(self, audios: Sequence[np.ndarray], options: DecodeOptions = DEFAULT_OPTIONS,
                         batch_size: int = DEFAULT_BATCH_SIZE, *, cancel: Cancel = None) -> list[Transcription]:
        """Many inputs, their windows decoded together in batches of batch_size. Raises InvalidDecodeOptions for
        bad options, ValueError/TypeError naming a bad audio item, DecodeCancelled once `cancel` fires (checked
        between batches)."""
        options.validate()
        check_batch_size(batch_size)
        language = self.check_language(options.language)
        started = time.perf_counter()
        inputs = [checked_audio(audio, index) for index, audio in enumerate(audios)]
        speech = [self._speech(samples, options) for samples in inputs]
        jobs = [(index, window) for index, samples in enumerate(inputs)
                for window in decoding_windows(pad_regions(speech[index], options.vad.speech_pad_s,
                                                           samples.size / SAMPLE_RATE),
                                               samples.size / SAMPLE_RATE, MAX_WINDOW_S)]
        clips = [inputs[index][slice(*window.sample_range(inputs[index].size))] for index, window in jobs]
        decodings = self._decode(clips, options, language, batch_size, cancel)
        elapsed = time.perf_counter() - started
        durations = [samples.size / SAMPLE_RATE for samples in inputs]
        total = sum(durations)
        results = []
        for index in range(len(inputs)):
            share = durations[index] / total if total > 0 else 1.0 / max(1, len(inputs))
            mine = [(window, decoding) for (item, window), decoding in zip(jobs, decodings) if item == index]
            results.append(self._transcription(mine, speech[index], durations[index], elapsed * share, options,
                                               language))
        return results

    def decode_clips(self, clips: Sequence[np.ndarray], options: DecodeOptions = DEFAULT_OPTIONS,
                     batch_size: int = DEFAULT_BATCH_SIZE) -> list[WindowDecoding]:
        """Decodes each clip (float32 (n,) 16 kHz, <= 30 s) whole, without VAD: one WindowDecoding per clip."""
        options.validate()
        check_batch_size(batch_size)
        language = self.check_language(options.language)
        checked = [checked_audio(clip, index) for index, clip in enumerate(clips)]
        for index, clip in enumerate(checked):
            if clip.size > MAX_WINDOW_S * SAMPLE_RATE or clip.size == 0:
                raise ValueError(f"clip {index} has {clip.size} samples; decode_clips takes 1..{int(MAX_WINDOW_S)} s "
                                 "(transcribe cuts longer audio into windows)")
        return self._decode(checked, options, language, batch_size)

    def check_language(self, language: str) -> str:
        """The language the prompt gets ("" = detect), or InvalidDecodeOptions saying what this family takes."""
        family = self.family
        if not language:
            if family.needs_language:
                raise InvalidDecodeOptions("language", f"{family.display_name} ({self.model_id!r}) cannot detect "
                                                       f"the language; pass one of {', '.join(self.languages)}")
            return ""
        if self.languages and language not in self.languages:
            detect = " or '' to detect it" if family.detects_language else ""
            raise InvalidDecodeOptions("language", f"{language!r} is not a language of {self.model_id!r} "
                                                   f"({family.display_name}); use one of {', '.join(self.languages)}"
                                                   f"{detect}")
        return language if family.takes_language else ""

    # ----------------------------------------------------------------------------------------------------
    def _speech(self, samples: np.ndarray, options: DecodeOptions) -> list[tuple[float, float]]:
        if samples.size == 0:
            return []
        probabilities = shared_vad().speech_probabilities(samples)
        return unpadded_regions(probabilities, samples.size / SAMPLE_RATE, options.vad, MAX_WINDOW_S)

    def _decode(self, clips: list[np.ndarray], options: DecodeOptions, language: str,
                batch_size: int, cancel: Cancel = None) -> list[WindowDecoding]:
        order = sorted(range(len(clips)), key=lambda index: clips[index].size)
        out: list[WindowDecoding | None] = [None] * len(clips)
        for first in range(0, len(order), batch_size):
            check_cancelled(cancel)
            chosen = order[first:first + batch_size]
            for index, decoding in zip(chosen, self._generate([clips[i] for i in chosen], options, language)):
                out[index] = decoding
        return out

    def _generate(self, clips: list[np.ndarray], options: DecodeOptions, language: str) -> list[WindowDecoding]:
        import torch

        batch = self.codec.batch(clips, language, _context(options))
        inputs = {name: _to(value, self.model.device, self.model.dtype) for name, value in batch.inputs.items()}
        longest_s = max(clip.size for clip in clips) / SAMPLE_RATE
        kwargs = {**generation_kwargs(options, longest_s), **batch.generate_kwargs}
        with self._lock, torch.inference_mode():
            output = self.model.generate(**inputs, **kwargs)
            scores = _token_scores(self.model, output, kwargs["num_beams"])
        sequences = output.sequences[:, batch.prompt_length:].tolist()
        # tokens generate returns before the scored ones (whisper: its forced <|sot|><|lang|><|task|>... prefix)
        forced = output.sequences.shape[1] - batch.prompt_length - len(output.scores)
        eos = self.codec.eos_ids()
        decodings = []
        for row, tokens in enumerate(sequences):
            kept = tokens[:forced] + _until_eos(tokens[forced:], eos)
            text, used = self.codec.parse(kept, language)
            decodings.append(WindowDecoding(tokens=tuple(kept[forced:]), text=text, language=used,
                                            avg_logprob=scores(row, len(kept) - forced)))
        return decodings

    def _transcription(self, decoded: list[tuple[Window, WindowDecoding]], speech: list[tuple[float, float]],
                       duration_s: float, processing_s: float, options: DecodeOptions,
                       language: str) -> Transcription:
        segments = []
        heard: list[tuple[float, float]] = []
        for window, decoding in decoded:
            if not decoding.text:
                continue
            segments.append(Segment(start=window.start_s, end=min(window.end_s, duration_s), text=decoding.text,
                                    words=(), avg_logprob=decoding.avg_logprob, no_speech_prob=0.0,
                                    compression_ratio=compression_ratio(decoding.text),
                                    temperature=options.temperatures[0],
                                    confidence=min(1.0, max(0.0, math.exp(min(0.0, decoding.avg_logprob))))))
            heard += [(start, end) for start, end in speech if start < window.end_s and end > window.start_s]
        languages = [decoding.language for _, decoding in decoded if decoding.language and decoding.text]
        detected = max(set(languages), key=languages.count) if languages else ""
        return Transcription(segments=tuple(segments), text=" ".join(segment.text for segment in segments),
                             duration_s=duration_s,
                             non_speech=tuple(non_speech_regions(heard, duration_s, options.vad.min_silence_s)),
                             processing_s=processing_s, model_id=self.model_id, compute_type=self.dtype,
                             language=language or detected)


def generation_kwargs(options: DecodeOptions, longest_s: float | None = None) -> dict:
    """`generate` arguments of DecodeOptions: beam search / greedy at temperature 0, else sampling; bounded length
    (options.max_new_tokens, else DEFAULT_MAX_NEW_TOKENS and, given the batch's longest window in seconds, its
    window_token_budget)."""
    temperature = options.temperatures[0]
    bound = DEFAULT_MAX_NEW_TOKENS
    if longest_s is not None:
        bound = min(bound, window_token_budget(options, longest_s))
    kwargs = {"max_new_tokens": options.max_new_tokens or bound, "return_dict_in_generate": True,
              "output_scores": True, "repetition_penalty": options.repetition_penalty,
              "no_repeat_ngram_size": options.no_repeat_ngram_size}
    if temperature > 0:
        return {**kwargs, "do_sample": True, "temperature": temperature, "num_beams": 1}
    kwargs.update(do_sample=False, num_beams=options.beam_size)
    if options.beam_size > 1:
        kwargs["length_penalty"] = options.length_penalty
    return kwargs


def compression_ratio(text: str) -> float:
    """zlib compression ratio of the text (high: a repetition loop)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _context(options: DecodeOptions) -> str | None:
    parts = [part.strip() for part in (options.hotwords, options.initial_prompt) if part and part.strip()]
    return " ".join(parts) or None


def _to(value, device, dtype):
    import torch

    if not isinstance(value, torch.Tensor):
        return value
    return value.to(device=device, dtype=dtype) if value.is_floating_point() else value.to(device)


def _until_eos(tokens: list[int], eos: set[int]) -> list[int]:
    for index, token in enumerate(tokens):
        if token in eos:
            return tokens[:index]
    return tokens


def _token_scores(model, output, num_beams: int):
    """score(row, n_tokens) -> mean log-probability of a row's first n generated tokens."""
    if num_beams > 1 and getattr(output, "sequences_scores", None) is not None:
        values = output.sequences_scores.float().tolist()
        return lambda row, n: float(values[row])
    steps = model.compute_transition_scores(output.sequences, output.scores, normalize_logits=True).float()
    steps = steps.cpu().numpy()

    def score(row: int, n: int) -> float:
        kept = steps[row, :max(1, n)]
        kept = kept[np.isfinite(kept)]
        return float(kept.mean()) if kept.size else 0.0

    return score
