"""Building a custom voice: fit a Kokoro style pack to a target speaker on CPU (the KVoiceWalk idea, by SNES).

Search space (d = 5 + 256): softmax weights over the five stock packs (an interpolation of whole packs, so
every input length keeps a consistent style) plus an offset added to every row. Step sizes of the offset are
scaled per dimension by the spread of the stock packs in that dimension (the scaling KVoiceWalk uses), with
larger steps in the first 128 values (the decoder half: timbre) than in the last 128 (the prosody
predictor's: durations and pitch), whose large moves cost intelligibility first.

Objective: the mean CAM++ cosine between the candidate's speech of the fit sentences and the centroid of
the target's recordings. Gate: a new best must keep whisper tiny.en's WER over the fit sentences and three
gate sentences (never optimized for) at or below max(max_wer, the start's WER). Start: the closest stock
voice. Everything between generations is in BuildState (JSON): `build_voice` checkpoints it through a callback and resumes from it; progress goes to
progress(fraction, stage, message); should_cancel() is asked between candidates (VoiceBuildCancelled).
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from adapt_server.audio.encode import resample
from adapt_server.errors import AdaptError, InvalidArgument
from adapt_server.tts import catalog
from adapt_server.tts.kokoro import PACK_ROWS, SAMPLE_RATE, STYLE_DIM, KokoroModel, StylePack
from adapt_server.voices import speaker_check
from adapt_server.voices.evolution import EvolutionState, evolution_step

FIT_SENTENCES = (  # Harvard sentences (IEEE 1969): short, phonetically balanced, public domain
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
)
GATE_SENTENCES = (  # more Harvard sentences, never optimized for: the intelligibility gate reads these too
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "The juice of lemons makes fine punch.",
)
TIMBRE_DIMS = 128  # the decoder half of a style vector
START_LOGIT = 3.0  # softmax logit of the closest stock voice at the start (others 0): weight ~0.83
LOGIT_SIGMA = 0.5  # initial step size of the interpolation logits
OFFSET_SIGMA = 0.5  # initial step size of the timbre offset, in units of the stock packs' per-dim spread
PROSODY_SIGMA = 0.25  # the same for the prosody half

Progress = Callable[[float, str, str], None]


class VoiceBuildCancelled(AdaptError):
    code = "CANCELLED"


@dataclass(frozen=True)
class BuildOptions:
    generations: int = 12  # SNES generations
    population: int = 8  # candidates per generation (even)
    max_wer: float = 0.1  # intelligibility gate: WER of whisper tiny.en (Whisper normalizer) over the fit and
    # gate sentences (the stock voices score 0.03-0.11 on such sentences)
    seed: int = 0
    fit_sentences: tuple[str, ...] = FIT_SENTENCES
    gate_sentences: tuple[str, ...] = GATE_SENTENCES  # read (with the fit sentences) by the WER gate

    def __post_init__(self) -> None:
        if self.generations < 0 or self.population < 2 or self.population % 2:
            raise InvalidArgument("voice build needs generations >= 0 and an even population >= 2")
        if not 0.0 <= self.max_wer <= 1.0:
            raise InvalidArgument("max_wer must be in [0, 1]")


@dataclass
class BuildState:
    """What a resumed build needs: the target's centroid, the start, and the search after its last generation."""

    target: list  # float (192,) unit CAM++ centroid of the target's recordings
    stock_scores: dict  # stock voice id -> objective of that voice (the start is the best)
    start_voice: str
    search: str  # EvolutionState.to_json()
    seconds: float = 0.0  # build time spent before this checkpoint
    start_wer: float = 0.0  # WER of the start (the gate allows max(max_wer, start_wer))
    wer_checks: list = field(default_factory=list)  # [generation, wer, accepted] of the gate's checks

    def to_json(self) -> str:
        return json.dumps(self.__dict__)

    @classmethod
    def from_json(cls, text: str) -> "BuildState":
        return cls(**json.loads(text))


@dataclass(frozen=True)
class BuildResult:
    pack: StylePack  # the custom voice
    similarity: float  # objective of the custom voice (fit sentences vs the target centroid)
    start_voice: str  # the closest stock voice
    start_similarity: float  # its objective
    wer: float  # whisper WER of the custom voice on the fit sentences
    generations: int
    evaluations: int  # candidates synthesized and embedded
    seconds: float  # build time (resumed runs included)
    history: list  # [generation, best similarity, median similarity]


class StyleSpace:
    """Maps search vectors float64 (5 + 256,) to style packs, from the five stock packs."""

    def __init__(self, model: KokoroModel):
        self.names = sorted(model.packs)
        self.stock = np.stack([model.packs[name].vectors for name in self.names]).astype(np.float64)  # (5,510,256)
        means = self.stock.mean(axis=1)  # (5, 256)
        self.spread = means.std(axis=0) + 1e-3  # (256,) per-dim scale of the offset
        self.dims = len(self.names) + STYLE_DIM

    def start(self, voice: str) -> tuple[np.ndarray, np.ndarray]:
        """(mean, sigma) starting at stock voice `voice` (its pack name)."""
        mean = np.zeros(self.dims)
        mean[self.names.index(voice)] = START_LOGIT
        sigma = np.concatenate([np.full(len(self.names), LOGIT_SIGMA), np.full(TIMBRE_DIMS, OFFSET_SIGMA),
                                np.full(STYLE_DIM - TIMBRE_DIMS, PROSODY_SIGMA)])
        return mean, sigma

    def pack(self, x: np.ndarray) -> StylePack:
        logits = x[: len(self.names)]
        weights = np.exp(logits - logits.max())
        weights /= weights.sum()
        vectors = np.tensordot(weights, self.stock, axes=1)  # (510, 256)
        vectors += x[len(self.names):] * self.spread
        return StylePack(vectors.reshape(PACK_ROWS, 1, STYLE_DIM).astype(np.float32))


class _Evaluator:
    def __init__(self, model: KokoroModel, target: np.ndarray, sentences: Sequence[str],
                 should_cancel: Callable[[], bool] | None):
        self.model = model
        self.target = target
        self.tokens = [model.phoneme_tokens(sentence) for sentence in sentences]
        self.should_cancel = should_cancel

    def speech(self, pack: StylePack) -> list[np.ndarray]:
        """16-kHz speech of each fit sentence."""
        return [resample(self.model.infer(tokens, pack, 1.0), SAMPLE_RATE, speaker_check.SAMPLE_RATE)
                for tokens in self.tokens]

    def similarity(self, pack: StylePack) -> float:
        if self.should_cancel is not None and self.should_cancel():
            raise VoiceBuildCancelled("the voice build was cancelled")
        embedding = speaker_check.embed_recording(np.concatenate(self.speech(pack)))
        return speaker_check.cosine(embedding, self.target)


def target_centroid(recordings: Sequence[np.ndarray]) -> np.ndarray:
    """float32 (192,) centroid of the target speaker's recordings (float32 (n,) 16 kHz each)."""
    if not recordings:
        raise InvalidArgument("the dataset has no recordings of the chosen speaker: pick a speaker with audio")
    return speaker_check.centroid([speaker_check.embed_recording(audio) for audio in recordings])


def build_voice(recordings: Sequence[np.ndarray], options: BuildOptions = BuildOptions(),
                transcribe: Callable[[np.ndarray], str] | None = None, progress: Progress | None = None,
                should_cancel: Callable[[], bool] | None = None, resume: str | None = None,
                checkpoint: Callable[[str], None] | None = None, model: KokoroModel | None = None) -> BuildResult:
    """Fits a Kokoro style pack to the speaker of `recordings` (float32 (n,) 16 kHz each).

    transcribe: 16-kHz audio -> text (whisper tiny.en in Adapt) for the intelligibility gate; None skips it.
    resume: a BuildState JSON that `checkpoint` received earlier; the build continues from it.
    """
    from adapt_server.scoring.text import Normalizer
    import jiwer

    started = time.perf_counter()
    report = progress or (lambda fraction, stage, message: None)
    model = model or catalog.kokoro_model()
    space = StyleSpace(model)
    normalize = Normalizer()
    gate_tokens = [model.phoneme_tokens(sentence) for sentence in options.gate_sentences]

    def word_error_rate(pack: StylePack) -> float:
        if transcribe is None:
            return 0.0
        texts = options.fit_sentences + options.gate_sentences
        speech = evaluator.speech(pack) + [resample(model.infer(tokens, pack, 1.0), SAMPLE_RATE, 16000)
                                           for tokens in gate_tokens]
        return float(jiwer.wer([normalize(text) for text in texts],
                               [normalize(transcribe(audio)) or "<empty>" for audio in speech]))

    if resume is not None:
        state = BuildState.from_json(resume)
        evaluator = _Evaluator(model, np.asarray(state.target, np.float32), options.fit_sentences, should_cancel)
    else:
        report(0.0, "embedding target", f"embedding {len(recordings)} recording(s) of the target speaker")
        target = target_centroid(recordings)
        evaluator = _Evaluator(model, target, options.fit_sentences, should_cancel)
        stock_scores = {}
        for index, name in enumerate(space.names):
            report(0.05 + 0.1 * index / len(space.names), "choosing a start", f"stock voice {name}")
            stock_scores[name] = evaluator.similarity(model.packs[name])
        start_voice = max(stock_scores, key=stock_scores.get)
        mean, sigma = space.start(start_voice)
        search = EvolutionState.start(mean, sigma, evaluator.similarity(space.pack(mean)), options.seed)
        report(0.14, "choosing a start", f"intelligibility of the start ({start_voice})")
        state = BuildState(target=target.tolist(), stock_scores=stock_scores, start_voice=start_voice,
                           search=search.to_json(), seconds=time.perf_counter() - started,
                           start_wer=word_error_rate(space.pack(mean)))
        if checkpoint is not None:
            checkpoint(state.to_json())
    search = EvolutionState.from_json(state.search)
    spent_before = state.seconds if resume is not None else 0.0  # a fresh build's clock started above
    run_started = time.perf_counter() if resume is not None else started

    def accept(candidate: np.ndarray, score: float) -> bool:
        wer = word_error_rate(space.pack(candidate))
        passed = wer <= max(options.max_wer, state.start_wer)
        state.wer_checks.append([search.generation + 1, round(wer, 4), passed])
        return passed

    while search.generation < options.generations:
        fraction = 0.15 + 0.8 * search.generation / max(options.generations, 1)
        report(fraction, "searching", f"generation {search.generation + 1} of {options.generations}, best "
                                      f"similarity {search.best_score:.3f}")
        search = evolution_step(search, lambda xs: np.array([evaluator.similarity(space.pack(x)) for x in xs]),
                                options.population, accept)
        state.search = search.to_json()
        state.seconds = spent_before + time.perf_counter() - run_started
        if checkpoint is not None:
            checkpoint(state.to_json())
    report(0.95, "checking", "intelligibility of the fitted voice")
    pack = space.pack(search.best)
    wer = word_error_rate(pack)
    seconds = spent_before + time.perf_counter() - run_started
    report(1.0, "done", f"similarity {search.best_score:.3f} (start {state.stock_scores[state.start_voice]:.3f}), "
                        f"WER {wer:.2f}")
    return BuildResult(pack=pack, similarity=search.best_score, start_voice=catalog.KOKORO_PREFIX + state.start_voice,
                       start_similarity=state.stock_scores[state.start_voice], wer=wer,
                       generations=search.generation, evaluations=search.evaluations, seconds=seconds,
                       history=search.history)
