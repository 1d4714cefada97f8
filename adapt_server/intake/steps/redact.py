"""`redact`: PII/PHI out of text and audio.

Entities are detected in the recording's aligned words in one pass (presidio with the bundled spaCy model
plus recognizers for medical record numbers, dates of birth, account numbers and spoken digit strings;
see adapt_server.intake.redaction); each utterance's text gets entity tags (`[PERSON]`), word texts inside
an entity become the tag too, and the audio is muted over the entity's word span (plus `pad_s`). The muted audio replaces the original: the original is never stored, so
training, evaluation and export only ever see redacted audio. An audit row per entity names its type and
time span, never its value.

params: entities (groups "pii"/"phi" and/or entity types, default ["pii", "phi"]), pad_s (0..1 s, default
0.15), drop_utterances_with (entity types, e.g. ["US_SSN"]: utterances containing one leave training).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.errors import InvalidArgument
from adapt_server.intake.steps.base import ParamReader, RecordingWork, Step, ValidationEnv


@dataclass(frozen=True)
class RedactConfig:
    entities: tuple[str, ...] = ("pii", "phi")   # groups and/or single entity types
    pad_s: float = 0.15                          # seconds muted before and after each entity
    drop_utterances_with: tuple[str, ...] = ()   # entity types whose utterances leave training


class RedactStep(Step):
    name = "redact"
    summary = "PII/PHI tags in text, muted audio, audit records"

    @classmethod
    def parse(cls, where: str, params: dict, env: ValidationEnv) -> RedactConfig:
        from adapt_server.intake.redaction.groups import ALL_TYPES, ENTITY_GROUPS, resolve_entities
        p = ParamReader(where, params)
        config = RedactConfig(entities=p.string_list("entities", tuple(ENTITY_GROUPS)),
                              pad_s=p.number("pad_s", 0.15, 0.0, 1.0),
                              drop_utterances_with=tuple(t.upper() for t in p.string_list("drop_utterances_with", ())))
        p.done()
        try:
            resolve_entities(config.entities)  # groups ("pii", "phi") and/or single entity types
        except InvalidArgument as exc:
            raise InvalidArgument(f"{where}.entities: {exc.message}") from None
        unknown = [t for t in config.drop_utterances_with if t not in ALL_TYPES]
        if unknown:
            raise InvalidArgument(f"{where}.drop_utterances_with: unknown entity type(s) {unknown}; use some of "
                                  f"{sorted(ALL_TYPES)}")
        return config

    @classmethod
    def run(cls, config: RedactConfig, work: RecordingWork, resources) -> RecordingWork:
        """Redacts the recording's words in one pass (a name found once is found again later), then gives
        each utterance its tagged text and words, and mutes the audio over every entity (plus pad_s)."""
        redactor = resources.redactor(config.entities, config.pad_s)
        drafts = list(work.utterances or ())
        words = [w for u in drafts for w in u.words]
        result = redactor.redact(words)
        utterances, first = [], 0
        for utterance in drafts:
            stop = first + len(utterance.words)
            types = {t for t in result.word_types[first:stop] if t}
            flag = utterance.flag
            dropped = sorted(types & set(config.drop_utterances_with))
            if dropped and not flag:
                flag = f"redacted:{dropped[0]}"
            tagged = tuple(replace(w, text=f"[{t}]") if t else w
                           for w, t in zip(utterance.words, result.word_types[first:stop]))
            text = result.text_of(first, stop) if types else utterance.text
            utterances.append(replace(utterance, text=text, words=tagged, flag=flag))
            first = stop
        samples = redactor.mute(work.samples, TARGET_SAMPLE_RATE, result.spans) if result.spans else work.samples
        return work.but(samples=samples.astype(np.float32, copy=False), utterances=tuple(utterances),
                        redactions=tuple(result.spans), redacted=True, channels=())
