"""`align`: word times for every utterance.

- A recording with a reference transcript: the whole transcript is aligned to the audio (forced alignment
  with the model's cross-attention) and cut into utterances of at most `max_utterance_s` at pauses. When
  the alignment score (0..1) is under `min_score` the transcript probably does not match the audio: the
  recording's utterances are flagged `low_alignment` (kept, reported, left out of training and export).
- A recording without transcript is pseudo-labelled: transcribed with the model, utterances whose
  confidence is under `min_confidence` dropped, the rest marked `pseudo`.

params: model (a catalogue model id of any family, default whisper-tiny.en: it transcribes, and times words with its
family's aligner - its own cross-attention for Whisper, a registered Qwen3-ForcedAligner for Qwen3-ASR, else the
project's Whisper forced aligner; see models/loading.py), min_confidence (0..1, default 0.5),
min_score (0..1, default `alignment.MIN_ALIGNMENT_SCORE` = 0.4: the score is the mean of 1 - WER of an
independent recognition pass and the forced alignment's mean word probability; correct transcripts of the
generated calls score 0.54-0.66, another call's transcript 0.14-0.21), max_utterance_s (1..30, default 30).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from adapt_server.errors import InvalidArgument, NotFound, echo
from adapt_server.intake.alignment import MIN_ALIGNMENT_SCORE
from adapt_server.intake.steps.base import ParamReader, RecordingWork, Step, UtteranceDraft, ValidationEnv
from adapt_server.intake.steps.speakers import qualified
from adapt_server.models.bundled import BUNDLED_BASE_MODEL
from adapt_server.models.names import model_not_found, register_command
from adapt_server.spans import SpeakerTurn

LOW_ALIGNMENT = "low_alignment"


@dataclass(frozen=True)
class AlignConfig:
    model: str = BUNDLED_BASE_MODEL
    min_confidence: float = 0.5    # pseudo labels: utterances under this mean word confidence are dropped
    min_score: float = MIN_ALIGNMENT_SCORE  # reference transcripts: an alignment score under this is flagged
    max_utterance_s: float = 30.0  # utterances are cut at pauses to at most this many seconds


class AlignStep(Step):
    name = "align"
    summary = "word times; utterances <= 30 s; pseudo labels without transcript"

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv) -> AlignConfig:
        p = ParamReader(where, params)
        config = AlignConfig(model=p.string("model", BUNDLED_BASE_MODEL),
                             min_confidence=p.number("min_confidence", 0.5, 0.0, 1.0),
                             min_score=p.number("min_score", MIN_ALIGNMENT_SCORE, 0.0, 1.0),
                             max_utterance_s=p.number("max_utterance_s", 30.0, 1.0, 30.0))
        p.done()
        if env.models is not None:
            try:
                record = env.models.get(config.model)
            except NotFound:
                if register_command(config.model):
                    raise model_not_found(config.model, f"{where}.model") from None
                raise NotFound(f"{where}.model {echo(config.model)} is not a model of this server; list models "
                               f"(the bundled one is {echo(BUNDLED_BASE_MODEL)})") from None
            if record.role != "recognizer":
                raise InvalidArgument(f"{where}.model {echo(config.model)} is a {record.family} {record.role}; "
                                      "align takes a speech recognizer (its aligner is found from its family)")
        return config

    @classmethod
    def run(cls, config: AlignConfig, work: RecordingWork, resources) -> RecordingWork:
        from adapt_server.intake.alignment import align_transcript, pseudo_label
        engine = resources.engine(config.model)
        text = " ".join(s.text.strip() for s in work.reference if s.text.strip())
        turns = speaker_turns(work)
        if text:
            result = align_transcript(work.samples, text, engine, max_utterance_s=config.max_utterance_s,
                                      turns=turns)
            flag = LOW_ALIGNMENT if result.score < config.min_score else ""
            utterances = tuple(_draft(u, "reference", flag) for u in result.utterances)
            notes = work.notes
            if flag:
                notes += (("alignment", f"alignment score {result.score:.2f} is under {config.min_score}: the "
                                    "transcript does not seem to match the audio; its utterances are flagged "
                                    "low_alignment and left out of training"),)
            return work.but(utterances=utterances, alignment_score=float(result.score), notes=notes)
        result = pseudo_label(work.samples, engine, min_confidence=config.min_confidence,
                              max_utterance_s=config.max_utterance_s, turns=turns)
        return work.but(utterances=tuple(_draft(u, "pseudo", "") for u in result.utterances),
                        alignment_score=float(result.score))


def speaker_turns(work: RecordingWork) -> tuple[SpeakerTurn, ...] | None:
    """Turns that utterances must not straddle: the reference ones (dataset-wide labels), else the diarized
    ones with recording-qualified labels; None when neither exists."""
    if work.reference_turns:
        return work.reference_turns
    if work.diarized:
        return tuple(replace(t, speaker=qualified(work.name, t.speaker)) for t in work.diarized)
    return None


def _draft(utterance, origin: str, flag: str) -> UtteranceDraft:
    words = tuple(utterance.words)
    return UtteranceDraft(start=float(utterance.start), end=float(utterance.end), text=utterance.text,
                          speaker=utterance.speaker, origin=origin, words=words,
                          confidence=float(utterance.confidence), flag=flag)
