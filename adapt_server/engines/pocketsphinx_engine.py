"""The pocketsphinx engine ("pocketsphinx-en-us"): a classical HMM/GMM recognizer with an n-gram language
model, the baseline candidate of a different family than Whisper. Everything it needs ships inside the
`pocketsphinx` pip package (en-us acoustic model, CMU dictionary, en-us 3-gram LM): nothing is downloaded.

Same public shape as `WhisperEngine`: `transcribe(audio, options)` and `transcribe_batch(audios, options,
batch_size)` return `Transcription`s with segments, timed words and non-speech.

Pipeline of one input (float32 (n_samples,) at 16 kHz):
1. Silero VAD and the windows Whisper decodes (`inputs.speech_windows`: padded speech regions packed into
   <= 30-s windows cut at pauses, grown into the surrounding non-speech; an input of <= 30 s with any speech
   is one whole window). Inputs with no detected speech are not decoded.
2. Each window is decoded as one pocketsphinx utterance from 16-bit PCM, in a single `process_raw` call
   with `full_utt=True`: cepstral mean normalization then uses the whole window (batch CMN). Feeding it in
   chunks of 1 s (live CMN) raised the corpus WER on ../shared/realspeech/asr from 0.37 to 0.46. The front-end is
   re-initialized before each window (`reinit_feat`, ~0.1 ms): without it, its state (noise estimate, CMN)
   carries over from the previous utterance and the same audio decodes differently depending on what the
   decoder heard before (measured: JFK's "what you can do" became "when you and you were young").
3. Words come from pocketsphinx's segmentation (`Decoder.seg()`), with times from its 10-ms frames and
   confidences from its lattice posteriors; fillers (<s>, </s>, <sil>, [NOISE], ...) are dropped and
   pronunciation suffixes ("(2)") stripped; words are cut into segments at pauses of at least
   `options.vad.min_silence_s` (see `pocketsphinx_segments.py` for the scores).
4. non_speech: the gaps between segments (and before the first / after the last) of at least
   `options.vad.min_silence_s`: what the decoder heard as silence or noise, and what the VAD skipped.

Options: `DecodeOptions` is accepted so callers treat every engine alike; only `language` (must be "en"),
`word_timestamps` (False: segments without words) and `vad` are used. Beam size, temperatures, prompts and
hotwords are Whisper decoding controls and have no effect here.

Batching: pocketsphinx has none; `transcribe_batch` decodes its inputs one after another and `batch_size`
is only validated. Each Transcription's processing_s is the wall time of that input alone (VAD + decoding,
including any wait for the decoder).

Thread-safety: one engine serves concurrent requests through one Decoder behind a lock. pocketsphinx holds
the GIL for the whole of `process_raw` (measured: a spinning Python thread ran at 0.6% of its rate during a
decode), so a Decoder per thread buys no parallelism: on 2 cores, 4 decodes of an 11-s recording took 13.4 s
sequentially, 13.4 s on two threads with a Decoder each and 13.3 s on two threads sharing one behind a lock,
while each extra Decoder costs ~90 MB. The same fact means that while a window (<= 30 s of audio, 0.2 to
1 s of CPU per second of audio: 10 s for JFK's 11 s on this shared machine) is decoded no other Python
thread of the process runs: run this engine in a worker process (as evaluations do), not on a
latency-sensitive server thread. `EngineRegistry` returns the shared engine for a model of format
"pocketsphinx" (the catalogue entry is `models/bundled.pocketsphinx_record()`, registered at start).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.audio.constants import PCM16_FULL_SCALE, PCM16_MAX, TARGET_SAMPLE_RATE
from adapt_server.engines.errors import ModelLoadError
from adapt_server.engines.inputs import Cancel, check_call, check_cancelled, checked_audios, speech_windows
from adapt_server.engines.options import DecodeOptions, InvalidDecodeOptions
from adapt_server.engines.pocketsphinx_segments import SegEntry, window_segments
from adapt_server.engines.protocol import EngineInfo
from adapt_server.engines.results import Segment, Transcription
from adapt_server.engines.segments import non_speech

POCKETSPHINX_MODEL_ID = "pocketsphinx-en-us"
SAMPLE_RATE = TARGET_SAMPLE_RATE  # Hz: the en-us acoustic model's rate
LANGUAGE = "en"  # the only language the bundled model recognizes
COMPUTE_TYPE = "native"  # pocketsphinx has one compute path (no quantization to choose)
DEFAULT_BATCH_SIZE = 1  # inputs per call: accepted for WhisperEngine's shape, decoding is sequential anyway
_MODEL_SUBDIR = "en-us"  # inside pocketsphinx.get_model_path()

DEFAULT_OPTIONS = DecodeOptions()


@dataclass(frozen=True)
class PocketsphinxModel:
    """The model files inside the installed `pocketsphinx` package."""

    acoustic_model: Path  # directory: mdef, means, variances, sendump, noisedict, feat.params, ...
    language_model: Path  # binary n-gram LM (en-us.lm.bin)
    dictionary: Path  # pronunciation dictionary (cmudict-en-us.dict)

    @property
    def filler_dictionary(self) -> Path:
        """The acoustic model's noise dictionary: words that are not words (<sil>, [NOISE], ...)."""
        return self.acoustic_model / "noisedict"


def bundled_model() -> PocketsphinxModel:
    """The en-us model shipped with the `pocketsphinx` package; ModelLoadError when absent or incomplete."""
    try:
        import pocketsphinx
    except ImportError:
        raise ModelLoadError(f"model {POCKETSPHINX_MODEL_ID!r} needs the pocketsphinx package: "
                             "`pip install 'pocketsphinx>=5'`") from None
    root = Path(pocketsphinx.get_model_path()) / _MODEL_SUBDIR
    model = PocketsphinxModel(root / _MODEL_SUBDIR, root / "en-us.lm.bin", root / "cmudict-en-us.dict")
    missing = [str(path) for path in (model.acoustic_model / "mdef", model.language_model, model.dictionary,
                                      model.filler_dictionary) if not path.exists()]
    if missing:
        raise ModelLoadError(f"model {POCKETSPHINX_MODEL_ID!r}: the pocketsphinx package lacks {missing}; "
                             "reinstall it (`pip install --force-reinstall 'pocketsphinx>=5'`)")
    return model


def read_fillers(noisedict: Path) -> frozenset[str]:
    """The words of a pocketsphinx noise dictionary (first column of each line)."""
    return frozenset(line.split()[0] for line in noisedict.read_text(encoding="utf-8").splitlines() if line.strip())


class PocketsphinxEngine:
    """pocketsphinx's en-us recognizer with Adapt's VAD windows; thread-safe (one Decoder behind a lock).

    model: the model files (default: those bundled with the pocketsphinx package).
    """

    model_id = POCKETSPHINX_MODEL_ID
    compute_type = COMPUTE_TYPE
    info = EngineInfo(model_id=POCKETSPHINX_MODEL_ID, family="pocketsphinx", backend="pocketsphinx", device="cpu",
                      dtype=COMPUTE_TYPE, languages=(LANGUAGE,), word_timestamps=True)

    def __init__(self, model: PocketsphinxModel | None = None):
        from pocketsphinx import Decoder

        self.model = model or bundled_model()
        try:
            self._decoder = Decoder(hmm=str(self.model.acoustic_model), lm=str(self.model.language_model),
                                    dict=str(self.model.dictionary), samprate=SAMPLE_RATE, bestpath=True,
                                    loglevel="FATAL")
        except (RuntimeError, ValueError) as exc:
            raise ModelLoadError(f"pocketsphinx cannot load {self.model}: {exc}") from exc
        self.frames_per_second = float(self._decoder.config["frate"])  # 100: 10-ms frames
        self.fillers = read_fillers(self.model.filler_dictionary)
        self._lock = threading.Lock()  # one utterance at a time per Decoder

    def warmup(self) -> float:
        """Decodes one second of noise (first-use costs); returns seconds spent."""
        started = time.perf_counter()
        self._decode(np.random.default_rng(0).normal(0, 0.01, SAMPLE_RATE).astype(np.float32))
        return time.perf_counter() - started

    def transcribe(self, audio: np.ndarray, options: DecodeOptions = DEFAULT_OPTIONS, *,
                   cancel: Cancel = None) -> Transcription:
        """Transcribes float32 mono audio of shape (n_samples,) at 16 kHz (any length)."""
        return self.transcribe_batch([audio], options, cancel=cancel)[0]

    def transcribe_batch(self, audios: list[np.ndarray], options: DecodeOptions = DEFAULT_OPTIONS,
                         batch_size: int = DEFAULT_BATCH_SIZE, *, cancel: Cancel = None) -> list[Transcription]:
        """Transcribes many inputs (each float32 (n_samples,) at 16 kHz), one after another (pocketsphinx has
        no batching; batch_size is validated and otherwise ignored). Item i's result does not depend on the
        other items.

        Raises InvalidDecodeOptions for bad options (or a language other than "en"), ValueError/TypeError for
        bad audio (naming the item), DecodeCancelled when `cancel` fires (checked between windows).
        """
        check_call(options, batch_size)
        if options.language != LANGUAGE:
            raise InvalidDecodeOptions("language", f"{POCKETSPHINX_MODEL_ID} recognizes English only ('en'); "
                                                   f"got {options.language!r}")
        inputs = checked_audios(audios)
        return [self._transcribe_one(samples, options, cancel) for samples in inputs]

    def _transcribe_one(self, samples: np.ndarray, options: DecodeOptions, cancel: Cancel = None) -> Transcription:
        started = time.perf_counter()
        duration = samples.size / SAMPLE_RATE
        segments: list[Segment] = []
        for window in speech_windows(samples, options.vad, cancel).windows:
            check_cancelled(cancel)
            first, last = window.sample_range(samples.size)
            segments += window_segments(self._decode(samples[first:last]), window.start_s, window.end_s,
                                        self.frames_per_second, options.vad.min_silence_s, self.fillers,
                                        with_words=options.word_timestamps)
        return Transcription(
            segments=tuple(segments), text=" ".join(segment.text for segment in segments), duration_s=duration,
            non_speech=non_speech([], segments, duration, options.vad.min_silence_s),
            processing_s=time.perf_counter() - started, model_id=self.model_id, compute_type=self.compute_type)

    def _decode(self, samples: np.ndarray) -> list[SegEntry]:
        """One window (float32 (n,), 16 kHz) decoded as one utterance -> its segmentation entries."""
        pcm = np.clip(np.round(samples * PCM16_FULL_SCALE), -PCM16_FULL_SCALE, PCM16_MAX).astype("<i2").tobytes()
        with self._lock:
            self._decoder.reinit_feat()  # fresh front-end state: the result must not depend on earlier inputs
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)  # whole window at once: batch CMN
            self._decoder.end_utt()
            return [SegEntry(entry.word, entry.start_frame, entry.end_frame, entry.prob)
                    for entry in self._decoder.seg()]


_shared_engine: PocketsphinxEngine | None = None
_shared_engine_lock = threading.Lock()


def shared_pocketsphinx_engine() -> PocketsphinxEngine:
    """The process-wide engine (loaded on first use: ~0.4 s, ~90 MB). It is thread-safe and has nothing to
    configure, so one instance serves every caller; `EngineRegistry` returns it for POCKETSPHINX_MODEL_ID."""
    global _shared_engine
    with _shared_engine_lock:
        if _shared_engine is None:
            _shared_engine = PocketsphinxEngine()
        return _shared_engine
