"""The CTranslate2 Whisper engine: speech windows -> batched encode/generate -> fallback -> aligned words.

Pipeline of `transcribe_batch` (and of `transcribe`, a batch of one):
1. Silero VAD finds the speech of each input; regions are packed into <= 30-s windows cut at pauses and
   grown into the surrounding non-speech (an input of <= 30 s with any speech is one whole window;
   `inputs.speech_windows`).
   Inputs with no detected speech are not decoded at all.
2. Windows of all inputs are grouped by encoder length (window + `encoder_padding_s`, rounded up to
   CONTEXT_STEP_S, at most 30 s) into batches of `batch_size`; each batch is featurized with Adapt's
   log-mel front-end (audio padded with zeros, as in training), encoded once, and decoded with one
   `generate` call at temperatures[0] (beam search).
3. Windows failing the quality checks (compression ratio, a loop faster than speech, average log-prob; see
   `quality.py`) are decoded again: first with a full 30-s encoder window (when they had a shorter one), then
   down the temperature ladder (sampling best_of), each step one batched call for the windows still failing.
   Windows judged silent (no-speech probability) are dropped and reported as non-speech. In timestamp
   mode (the default), a window the decoder left early (it ends on a segment start) is continued from its
   last timestamp as a new window in the next round, as openai/whisper seeks; so is a window the decoder
   closed (its last segment's end, then end of text) while the VAD still hears speech after that end. A
   continuation's first words that repeat the end of the decoding it continues are dropped (`overlap.py`).
4. Word timestamps: one batched `align` call (cross-attention DTW over the alignment heads) per encoder
   length; segments are Whisper's timestamp segments (or, without timestamp tokens, a window's text split
   at sentence ends), each with its words (see `segments.py`).

The engine is also a `WordAligner` (engines/protocol.py): `align_words` times known words by forced alignment
(see `forced_alignment.py`).

Thread-safety: one engine serves concurrent requests. CTranslate2 model calls are thread-safe; with
`inter_threads=1` (the thread budget's default) calls from concurrent requests queue and run one at a
time on `intra_threads` cores, which is the most throughput a CPU gives; raise inter_threads to run
batches in parallel (each with its own intra_threads). The VAD session and the tokenizer are thread-safe;
the numba front-end is serialized by a lock (about 2 ms per 30-s window).
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import ctranslate2
import numpy as np
from adapt_kernels.mel import log_mel_spectrogram
from adapt_kernels.threads import ThreadBudget, thread_budget
from adapt_kernels.whisper_constants import (CHUNK_LENGTH, HOP_LENGTH, MAX_TEXT_TOKENS, MEDIAN_FILTER_WIDTH,
                                             N_SAMPLES, N_TEXT_CTX, SAMPLE_RATE, TIME_PRECISION_S)

from adapt_server.engines.conversion import ensure_ctranslate2
from adapt_server.engines.encoder_cache import EncoderCache
from adapt_server.engines.errors import ModelLoadError, UnsupportedComputeType
from adapt_server.engines.forced_alignment import ALIGN_BATCH_SIZE, transcript_words
from adapt_server.engines.inputs import Cancel, check_call, check_cancelled, checked_audios, speech_windows
from adapt_server.engines.model_directory import InvalidModelDirectory, inspect_model_directory
from adapt_server.engines.options import COMPUTE_TYPES, DecodeOptions, InvalidDecodeOptions, window_token_budget
from adapt_server.engines.overlap import without_repeated_start
from adapt_server.engines.protocol import AlignmentWindow, EngineInfo
from adapt_server.engines.quality import (
    WindowDecoding,
    average_logprob,
    cut_repetition_loop,
    is_silence,
    needs_fallback,
    pick_final,
    too_repetitive,
)
from adapt_server.engines.results import Segment, Transcription
from adapt_server.engines.segments import non_speech, window_pieces, window_segments
from adapt_server.engines.tokenizer import WhisperTokenizer
from adapt_server.engines.vad import Window
from adapt_server.engines.word_timing import ENCODER_FRAMES_PER_SECOND, TimedWord, timed_words
from adapt_server.spans import Word

CONTEXT_STEP_S = 2  # seconds: encoder lengths are multiples of this (fewer shapes, larger batches)
FULL_CONTEXT_S = CHUNK_LENGTH  # 30 s: the encoder window Whisper was trained on
MAX_DECODER_LENGTH = N_TEXT_CTX  # 448 positions of Whisper's decoder (prompt + generated tokens)
MAX_PROMPT_TOKENS = MAX_DECODER_LENGTH // 2 - 1  # previous-text tokens kept in a prompt (openai/whisper)
DEFAULT_BATCH_SIZE = 8  # windows per encode/generate call on CPU
MAX_INITIAL_TIMESTAMP_S = 1.0  # seconds: latest first timestamp token (timestamp mode)
MIN_CONTINUATION_S = 0.5  # seconds: a shorter rest of a window after the last timestamp is not decoded again
SPEECH_AFTER_CLOSE_S = 1.0  # seconds of VAD speech after the end of a window's last segment that make a closed
# window continue: openai/whisper and faster-whisper take a decoding that ends "<|T|><|endoftext|>" as "no speech
# after T". A model fine-tuned on single short turns (each labelled "<|0.00|> text <|T|>") learns to close every
# window after its first segment: measured on the general reference's 28-s windows, a tuned tiny.en wrote the
# first clip and dropped the rest (22 of 75 words; docs/training.md). The VAD is the second opinion.

DEFAULT_OPTIONS = DecodeOptions()
_front_end_lock = threading.Lock()


@dataclass
class _WindowJob:
    """One window of one input while it is decoded."""

    item: int  # index of the input in the batch
    window: Window
    samples: np.ndarray  # float32 (n,), the window's audio
    context_s: int  # seconds the encoder sees for the first decoding
    encoded: np.ndarray | None = None  # encoder output of the kept decoding, (frames, d_model)
    decoding: WindowDecoding | None = None
    candidates: list[WindowDecoding] = field(default_factory=list)
    words: list[TimedWord] = field(default_factory=list)
    previous_tokens: tuple[int, ...] = ()  # a continuation's: the text tokens its window's decoding ended with

    @property
    def content_frames(self) -> int:
        """Mel frames (10 ms) of real audio in the window."""
        return max(1, min(N_SAMPLES, self.samples.size) // HOP_LENGTH)

    @property
    def speech_s(self) -> float:
        """Seconds of detected speech in the window (its VAD regions, padding included)."""
        return sum(end - start for start, end in self.window.regions)


class WhisperEngine:
    """A loaded Whisper model (CTranslate2) with Adapt's front-end, VAD windows, fallback and alignment.

    model_dir: a CTranslate2 Whisper directory, or a Hugging Face Whisper directory (converted once into
        engine_cache_dir, which is then required).
    compute_type: CTranslate2 compute type ("int8", "int8_float32", "float32", "float16" on CUDA, ...).
    device: "cpu" or "cuda".
    threads: CPU thread budget (default: every available core, one batch at a time).
    encoder_cache: encoder outputs shared with other engines whose encoder weights and compute type are the same
        as this one's (engines/encoder_cache.py); None: every window is encoded.
    """

    def __init__(self, model_dir: Path, model_id: str, compute_type: str = "int8", device: str = "cpu",
                 threads: ThreadBudget | None = None, engine_cache_dir: Path | None = None,
                 fingerprint: str | None = None, encoder_cache: EncoderCache | None = None):
        model_dir = Path(model_dir)
        self.model_id = model_id
        self.device = device
        _check_compute_type(compute_type, device)
        try:
            model_format = inspect_model_directory(model_dir).format
        except InvalidModelDirectory as exc:
            raise ModelLoadError(f"model {model_id!r}: {exc}") from None
        if model_format == "huggingface":
            if engine_cache_dir is None:
                raise ModelLoadError(f"{model_dir} is a Hugging Face model: pass engine_cache_dir, where it is "
                                     "converted to CTranslate2 once")
            model_dir = ensure_ctranslate2(model_dir, Path(engine_cache_dir), fingerprint)
        self.model_dir = model_dir
        self.encoder_cache = encoder_cache
        budget = threads or thread_budget()
        try:
            self.model = ctranslate2.models.Whisper(str(self.model_dir), device=device, compute_type=compute_type,
                                                    **budget.ctranslate2_kwargs())
        except (RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"CTranslate2 cannot load the Whisper model in {self.model_dir}: {exc}") from exc
        self.tokenizer = WhisperTokenizer(self.model_dir / "tokenizer.json", self.model.is_multilingual)

    @property
    def compute_type(self) -> str:
        """The compute type CTranslate2 actually runs (e.g. "int8_float32" for "int8" on CPU)."""
        return self.model.compute_type

    @property
    def multilingual(self) -> bool:
        return self.model.is_multilingual

    @property
    def info(self) -> EngineInfo:
        return EngineInfo(model_id=self.model_id, family="whisper", backend="ctranslate2", device=self.device,
                          dtype=self.compute_type, languages=() if self.multilingual else ("en",),
                          word_timestamps=True)

    @property
    def n_mels(self) -> int:
        return self.model.n_mels

    def warmup(self) -> float:
        """Decodes one second of noise so the first request pays no compilation; returns seconds spent."""
        started = time.perf_counter()
        noise = np.random.default_rng(0).normal(0, 0.01, SAMPLE_RATE).astype(np.float32)
        self._decode_jobs([_WindowJob(0, Window(0.0, 1.0, ((0.0, 1.0),)), noise, FULL_CONTEXT_S)],
                          DecodeOptions(temperatures=(0.0,), max_new_tokens=4), DEFAULT_BATCH_SIZE)
        return time.perf_counter() - started

    def transcribe(self, audio: np.ndarray, options: DecodeOptions = DEFAULT_OPTIONS, *,
                   cancel: Cancel = None) -> Transcription:
        """Transcribes float32 mono audio of shape (n_samples,) at 16 kHz (any length); see transcribe_batch."""
        return self.transcribe_batch([audio], options, cancel=cancel)[0]

    def transcribe_batch(self, audios: list[np.ndarray], options: DecodeOptions = DEFAULT_OPTIONS,
                         batch_size: int = DEFAULT_BATCH_SIZE, *, cancel: Cancel = None) -> list[Transcription]:
        """Transcribes many inputs (each float32 (n_samples,) at 16 kHz), decoding the windows of all of them
        together in batches of batch_size. Item i's result does not depend on the other items.

        Each Transcription's processing_s is the batch's wall time shared in proportion to audio duration.
        Raises InvalidDecodeOptions for bad options, ValueError/TypeError for bad audio (naming the item), and
        DecodeCancelled when `cancel` fires (checked between VAD blocks, batches and fallback rounds).
        """
        check_call(options, batch_size)
        self._check_language(options)
        started = time.perf_counter()
        inputs = checked_audios(audios)
        cuts = [speech_windows(samples, options.vad, cancel) for samples in inputs]
        languages = self._input_languages(inputs, cuts, options.language)
        jobs: list[_WindowJob] = []
        for language in sorted(set(languages)):  # one decoding pass per language (its prompt names it)
            chosen = replace(options, language=language)
            jobs += self._decode_jobs([_window_job(index, samples, window, chosen)
                                       for index, samples in enumerate(inputs) if languages[index] == language
                                       for window in cuts[index].windows], chosen, batch_size, cancel)
        elapsed = time.perf_counter() - started
        durations = [samples.size / SAMPLE_RATE for samples in inputs]
        total = sum(durations)
        results = []
        for index, samples in enumerate(inputs):
            share = durations[index] / total if total > 0 else 1.0 / max(1, len(inputs))
            item_jobs = [job for job in jobs if job.item == index]
            results.append(self._transcription(item_jobs, cuts[index].speech, durations[index], elapsed * share,
                                               replace(options, language=languages[index])))
        return results

    def detect_language(self, audio: np.ndarray) -> list[tuple[str, float]]:
        """(language code, probability) pairs, most probable first, of the first 30 s of `audio` (float32 (n,)
        at 16 kHz); English-only models answer [("en", 1.0)]."""
        if not self.multilingual:
            return [("en", 1.0)]
        clip = np.asarray(audio, dtype=np.float32)[:N_SAMPLES]
        with _front_end_lock:
            features = log_mel_spectrogram(clip, self.n_mels, padding=N_SAMPLES - clip.size)[None]
        ranked = self.model.detect_language(ctranslate2.StorageView.from_array(np.ascontiguousarray(features)))[0]
        return [(token.strip("<|>"), float(probability)) for token, probability in ranked]

    def _input_languages(self, inputs: list[np.ndarray], cuts, language: str) -> list[str]:
        """The language each input is decoded in: the one asked for; "" asks to detect it on the input's first
        speech window (multilingual models), English-only models always use "en"."""
        if language or not self.multilingual:
            return [language or "en"] * len(inputs)
        detected = []
        for samples, cut in zip(inputs, cuts):
            if not cut.windows:
                detected.append("en")  # nothing to decode: any prompt will do
                continue
            first, last = cut.windows[0].sample_range(samples.size)
            detected.append(self.detect_language(samples[first:last])[0][0])
        return detected

    # ----------------------------------------------------------------------------------------------------
    # decoding

    def _decode_jobs(self, jobs: list[_WindowJob], options: DecodeOptions, batch_size: int,
                     cancel: Cancel = None) -> list[_WindowJob]:
        """Decodes every job (in place) and returns them plus the continuation jobs decoding created."""
        prompt = self._prompt(options)
        done: list[_WindowJob] = []
        while jobs:
            continuations = []
            for group in _groups(jobs, batch_size):
                check_cancelled(cancel)
                self._decode_group(group, options, prompt, cancel)
                for job in group:
                    if job.previous_tokens:  # a continuation: it may start by writing the last words again
                        kept = without_repeated_start(list(job.decoding.tokens), list(job.previous_tokens),
                                                      self.tokenizer, options.language)
                        job.decoding = _replace_tokens(job.decoding, kept, self.tokenizer)
                continuations += [follow for follow in (self._continuation(job, options) for job in group) if follow]
                if options.word_timestamps:
                    check_cancelled(cancel)
                    self._align(group, options)
                for job in group:
                    job.encoded = None  # release encoder outputs as soon as the group is done
            done += jobs
            jobs = continuations
        return done

    def _continuation(self, job: _WindowJob, options: DecodeOptions) -> _WindowJob | None:
        """Timestamp mode: a decoding with timestamp pairs that does not end on a closing timestamp stopped
        before the end of its window (openai/whisper's rule); when the rest of the window (after the last
        timestamp) holds detected speech, the text is cut at that timestamp and the rest becomes a new job
        (openai/whisper's seek). A decoding that closed its last segment ("<|T|>" then end of text) is
        continued from T too when the VAD detected at least SPEECH_AFTER_CLOSE_S of speech after T in the
        window. Returns that job, or None."""
        tokens, begin = job.decoding.tokens, self.tokenizer.timestamp_begin
        stamps = [index for index, token in enumerate(tokens) if token >= begin]
        if not stamps:
            return None
        last = stamps[-1]
        window = job.window
        resume_s = window.start_s + (tokens[last] - begin) * TIME_PRECISION_S
        rest = tuple((max(start, resume_s), end) for start, end in window.regions if end > resume_s)
        closed = len(tokens) >= 2 and tokens[-1] >= begin and tokens[-2] < begin  # "... text <|T|>", end of text
        if closed:
            if sum(end - start for start, end in rest) < SPEECH_AFTER_CLOSE_S:
                return None  # the decoder and the VAD agree: the window is done
        elif not any(later == earlier + 1 for earlier, later in zip(stamps, stamps[1:])):
            return None  # no segment closed: nothing to resume from
        if resume_s <= window.start_s or window.end_s - resume_s < MIN_CONTINUATION_S or not rest:
            return None  # nothing worth decoding again: keep the text as it is
        job.decoding = _replace_tokens(job.decoding, list(tokens[:last + 1]), self.tokenizer)
        previous = tuple(token for token in tokens[:last + 1] if token < self.tokenizer.eot)
        offset = int(round((resume_s - window.start_s) * SAMPLE_RATE))
        samples = job.samples[offset:]
        job.window = Window(start_s=window.start_s, end_s=resume_s,  # its words must end before the rest
                            regions=tuple((start, min(end, resume_s)) for start, end in window.regions
                                          if start < resume_s) or ((window.start_s, resume_s),))
        job.samples = job.samples[:offset]
        return _WindowJob(job.item, Window(start_s=resume_s, end_s=window.end_s, regions=rest), samples,
                          _context_seconds(samples.size, options), previous_tokens=previous)

    def _decode_group(self, group: list[_WindowJob], options: DecodeOptions, prompt: list[int],
                      cancel: Cancel = None) -> None:
        first_temperature = options.temperatures[0]
        encoded = self._encode([job.samples for job in group], group[0].context_s)
        check_cancelled(cancel)
        full = group[0].context_s >= FULL_CONTEXT_S
        longest_s = _longest_s(group)
        for job, encoder_output, decoding in zip(group, encoded, self._generate(encoded, prompt, first_temperature,
                                                                                 options, full, longest_s)):
            job.encoded, job.decoding, job.candidates = encoder_output, decoding, [decoding]
        pending = [job for job in group if needs_fallback(job.decoding, options, job.speech_s)]
        if pending and not full:  # a short encoder window may be what failed: retry with the full 30 s
            check_cancelled(cancel)
            encoded = self._encode([job.samples for job in pending], FULL_CONTEXT_S)
            for job, encoder_output, decoding in zip(pending, encoded,
                                                     self._generate(encoded, prompt, first_temperature, options, True,
                                                                    _longest_s(pending))):
                job.encoded, job.decoding = encoder_output, decoding
                job.candidates.append(decoding)
            pending = [job for job in pending if needs_fallback(job.decoding, options, job.speech_s)]
        for temperature in options.temperatures[1:]:
            if not pending:
                break
            check_cancelled(cancel)
            for length in sorted({job.encoded.shape[0] for job in pending}):
                same = [job for job in pending if job.encoded.shape[0] == length]
                stacked = np.stack([job.encoded for job in same])
                full = length >= FULL_CONTEXT_S * ENCODER_FRAMES_PER_SECOND
                for job, decoding in zip(same, self._generate(stacked, prompt, temperature, options, full,
                                                              _longest_s(same))):
                    job.candidates.append(decoding)
                    job.decoding = decoding
            pending = [job for job in pending if needs_fallback(job.decoding, options, job.speech_s)]
        for job in pending:
            job.decoding = pick_final(job.candidates, options, job.speech_s)
        for job in group:
            if too_repetitive(job.decoding, options, job.speech_s):  # every temperature looped: keep one copy
                tokens = cut_repetition_loop(list(job.decoding.tokens))
                job.decoding = _replace_tokens(job.decoding, tokens, self.tokenizer)

    def _encode(self, clips: list[np.ndarray], context_s: int) -> np.ndarray:
        """Log-mel of each clip padded (as audio) to context_s, encoded: float32 (batch, frames, d_model).
        With an encoder cache, only the clips it lacks are encoded (in one call)."""
        if self.encoder_cache is None:
            return self._encode_now(clips, context_s)
        keys = [EncoderCache.key(clip, context_s, self.n_mels) for clip in clips]
        found = [self.encoder_cache.get(key) for key in keys]
        missing = [index for index, encoded in enumerate(found) if encoded is None]
        if missing:
            for index, encoded in zip(missing, self._encode_now([clips[index] for index in missing], context_s)):
                self.encoder_cache.put(keys[index], encoded)
                found[index] = encoded
        return np.stack(found)

    def _encode_now(self, clips: list[np.ndarray], context_s: int) -> np.ndarray:
        target = context_s * SAMPLE_RATE
        with _front_end_lock:
            features = np.stack([log_mel_spectrogram(clip, self.n_mels, padding=target - clip.size) for clip in clips])
        encoded = self.model.encode(ctranslate2.StorageView.from_array(features), to_cpu=True)
        return np.asarray(encoded)

    def _generate(self, encoded: np.ndarray, prompt: list[int], temperature: float, options: DecodeOptions,
                  full_context: bool, longest_s: float) -> list[WindowDecoding]:
        """Decodes each encoded window (float32 (batch, frames, d_model)); longest_s: the longest window's audio
        seconds, which bounds the tokens generated (options.window_token_budget)."""
        if temperature > 0:
            search = {"beam_size": 1, "num_hypotheses": options.best_of, "sampling_topk": 0,
                      "sampling_temperature": temperature}
        else:
            search = {"beam_size": options.beam_size, "patience": options.patience}
        max_length = min(MAX_DECODER_LENGTH, len(prompt) + window_token_budget(options, longest_s))
        results = self.model.generate(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded)), [prompt] * encoded.shape[0],
            length_penalty=options.length_penalty, repetition_penalty=options.repetition_penalty,
            no_repeat_ngram_size=options.no_repeat_ngram_size, max_length=max_length, return_scores=True,
            return_no_speech_prob=True, suppress_blank=options.suppress_blank,
            suppress_tokens=self.tokenizer.suppressed_tokens(options.suppress_tokens),
            max_initial_timestamp_index=int(round(MAX_INITIAL_TIMESTAMP_S / TIME_PRECISION_S)), **search)
        decodings = []
        for result in results:
            hypotheses = [self._decoding(tokens, score, result.no_speech_prob, temperature, full_context, options)
                          for tokens, score in zip(result.sequences_ids, result.scores)]
            decodings.append(max(hypotheses, key=lambda decoding: decoding.avg_logprob))
        return decodings

    def _decoding(self, tokens: list[int], score: float, no_speech_prob: float, temperature: float,
                  full_context: bool, options: DecodeOptions) -> WindowDecoding:
        tokens = [token for token in tokens if token != self.tokenizer.eot]
        return WindowDecoding(tokens=tuple(tokens), text=self.tokenizer.decode(tokens),
                              avg_logprob=average_logprob(score, len(tokens), options.length_penalty),
                              no_speech_prob=float(no_speech_prob), temperature=temperature,
                              full_context=full_context)

    def _prompt(self, options: DecodeOptions) -> list[int]:
        context: list[int] = []
        if options.hotwords and options.hotwords.strip():
            context += self.tokenizer.encode(" " + options.hotwords.strip())
        if options.initial_prompt and options.initial_prompt.strip():
            context += self.tokenizer.encode(" " + options.initial_prompt.strip())
        prompt = [self.tokenizer.sot_prev] + context[-MAX_PROMPT_TOKENS:] if context else []
        prompt += self.tokenizer.sot_sequence(options.language)
        if options.without_timestamps:
            prompt.append(self.tokenizer.no_timestamps)
        return prompt

    def _check_language(self, options: DecodeOptions) -> None:
        """"" (detect) is accepted by every model: English-only ones then transcribe English."""
        if not options.language:
            return
        if not self.multilingual and options.language != "en":
            raise InvalidDecodeOptions("language", f"model {self.model_id!r} is English-only: use 'en'; got "
                                                   f"{options.language!r}")
        if self.multilingual and self.tokenizer.language_token(options.language) is None:
            raise InvalidDecodeOptions("language", f"{options.language!r} is not a language of model "
                                                   f"{self.model_id!r}; use a code such as 'en', 'de', 'fr'")

    # ----------------------------------------------------------------------------------------------------
    # word timestamps

    def _align(self, group: list[_WindowJob], options: DecodeOptions) -> None:
        """One `align` call per encoder length for the windows that have text."""
        eot = self.tokenizer.eot
        todo = [job for job in group if not is_silence(job.decoding, options)
                and any(token < eot for token in job.decoding.tokens)]
        for length in sorted({job.encoded.shape[0] for job in todo}):
            same = [job for job in todo if job.encoded.shape[0] == length]
            text_tokens = [[token for token in job.decoding.tokens if token < eot] for job in same]
            results = self.model.align(
                ctranslate2.StorageView.from_array(np.stack([job.encoded for job in same])),
                self.tokenizer.sot_sequence(options.language), text_tokens, [job.content_frames for job in same],
                median_filter_width=MEDIAN_FILTER_WIDTH)
            for job, tokens, result in zip(same, text_tokens, results):
                job.words = timed_words(self.tokenizer, tokens, result.alignments, result.text_token_probs,
                                        job.window.start_s, job.window.end_s, options.language)

    # ----------------------------------------------------------------------------------------------------
    # forced alignment (WordAligner)

    def align_words(self, samples: np.ndarray, windows: Sequence[AlignmentWindow]) -> list[list[Word]]:
        """Times for known words: for each window (<= 30 s of `samples`, float32 (n,) at 16 kHz) one Word per
        window word, in order, on the recording's timeline inside the window, with confidences (mean token
        probability). English prompt; see engines/forced_alignment.py."""
        results: list[list[Word]] = []
        for first in range(0, len(windows), ALIGN_BATCH_SIZE):
            results += self._align_words_batch(samples, list(windows[first:first + ALIGN_BATCH_SIZE]))
        return results

    def _align_words_batch(self, samples: np.ndarray, windows: list[AlignmentWindow]) -> list[list[Word]]:
        clips, texts, token_lists = [], [], []
        for window in windows:
            first = max(0, int(round(window.start * SAMPLE_RATE)))
            last = min(samples.size, max(first + HOP_LENGTH, int(round(window.end * SAMPLE_RATE))))
            clips.append(samples[first:last])
            texts.append(" " + " ".join(window.words))
            token_lists.append(self.tokenizer.encode(texts[-1])[:MAX_TEXT_TOKENS])
        encoded = self._encode(clips, FULL_CONTEXT_S)  # (batch, 1500, d_model)
        aligned = self.model.align(ctranslate2.StorageView.from_array(np.ascontiguousarray(encoded)),
                                   self.tokenizer.sot_sequence("en"), token_lists,
                                   [max(1, clip.size // HOP_LENGTH) for clip in clips],
                                   median_filter_width=MEDIAN_FILTER_WIDTH)
        results = []
        for window, clip, text, tokens, result in zip(windows, clips, texts, token_lists, aligned):
            start = max(0, int(round(window.start * SAMPLE_RATE))) / SAMPLE_RATE
            end = start + clip.size / SAMPLE_RATE
            timed = timed_words(self.tokenizer, tokens, result.alignments, result.text_token_probs, start, end)
            pieces = [(word.text, word.start, word.end, word.probability) for word in timed]
            results.append(transcript_words(window.words, text, pieces, start, end))
        return results

    # ----------------------------------------------------------------------------------------------------
    # results

    def _transcription(self, jobs: list[_WindowJob], speech: list[tuple[float, float]], duration_s: float,
                       processing_s: float, options: DecodeOptions) -> Transcription:
        segments: list[Segment] = []
        heard: list[tuple[float, float]] = []  # detected speech of the windows that gave text
        for job in jobs:
            if job.decoding is None or is_silence(job.decoding, options):
                continue
            pieces = window_pieces(job.decoding, job.window, self.tokenizer, not options.without_timestamps)
            found = window_segments(pieces, job.words, job.decoding, self.tokenizer,
                                    split_sentences=options.without_timestamps)
            if found:
                window = job.window
                heard += [(start, end) for start, end in speech if start < window.end_s and end > window.start_s]
            segments += found
        segments.sort(key=lambda segment: segment.start)
        return Transcription(
            segments=tuple(segments), text=" ".join(segment.text for segment in segments), duration_s=duration_s,
            # pauses shorter than the detector's minimum silence belong to the speech around them
            non_speech=non_speech(heard, segments, duration_s, options.vad.min_silence_s),
            processing_s=processing_s, model_id=self.model_id, compute_type=self.compute_type,
            language=options.language)


def _groups(jobs: list[_WindowJob], batch_size: int) -> list[list[_WindowJob]]:
    """Jobs of equal encoder length in batches of at most batch_size (a job's encoder length depends only on
    its own window, so its result does not depend on the other jobs)."""
    groups: list[list[_WindowJob]] = []
    for job in sorted(jobs, key=lambda job: job.context_s):
        if groups and groups[-1][0].context_s == job.context_s and len(groups[-1]) < batch_size:
            groups[-1].append(job)
        else:
            groups.append([job])
    return groups


def _replace_tokens(decoding: WindowDecoding, tokens: list[int], tokenizer: WhisperTokenizer) -> WindowDecoding:
    return WindowDecoding(tokens=tuple(tokens), text=tokenizer.decode(tokens), avg_logprob=decoding.avg_logprob,
                          no_speech_prob=decoding.no_speech_prob, temperature=decoding.temperature,
                          full_context=decoding.full_context)


def _window_job(item: int, samples: np.ndarray, window: Window, options: DecodeOptions) -> _WindowJob:
    """Input `item`'s window to decode, with its audio and encoder length."""
    first, last = window.sample_range(samples.size)
    return _WindowJob(item, window, samples[first:last], _context_seconds(last - first, options))


def _longest_s(jobs) -> float:
    """Seconds of audio in the longest of the jobs' windows."""
    return max(job.samples.size for job in jobs) / SAMPLE_RATE


def _context_seconds(n_samples: int, options: DecodeOptions) -> int:
    """Encoder input length (seconds) for a window of n_samples: window + padding, rounded up, <= 30 s."""
    if options.encoder_padding_s is None:
        return FULL_CONTEXT_S
    wanted = n_samples / SAMPLE_RATE + options.encoder_padding_s
    return int(min(FULL_CONTEXT_S, CONTEXT_STEP_S * math.ceil(wanted / CONTEXT_STEP_S)))


def _check_compute_type(compute_type: str, device: str) -> None:
    if device not in ("cpu", "cuda"):
        raise UnsupportedComputeType(f"device must be 'cpu' or 'cuda'; got {device!r}")
    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        raise ModelLoadError("device 'cuda' was requested but CTranslate2 sees no CUDA device; use 'cpu'")
    supported = sorted(ctranslate2.get_supported_compute_types(device))
    if compute_type not in COMPUTE_TYPES:
        raise UnsupportedComputeType(f"compute_type {compute_type!r} is unknown; use one of {supported}")
    if compute_type not in supported and compute_type not in ("default", "auto"):
        raise UnsupportedComputeType(f"compute_type {compute_type!r} is not supported on {device}; "
                                     f"use one of {supported}")
