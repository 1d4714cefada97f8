"""The `redact` step's engine: PII/PHI found in aligned words (presidio + Adapt's recognizers for spoken
numbers, dates, e-mails, addresses, medical record numbers), tagged in the text and muted in the audio.

    redactor = Redactor(["pii", "phi"])             # groups: see groups.py; unknown -> InvalidArgument
    result = redactor.redact(alignment.words)       # .text "[PERSON]...", .spans (type, start, end)
    clean = mute(samples, 16000, result.spans)      # or redactor.mute(...): zeros over the spans, padded
"""
from adapt_server.intake.redaction.audio import DEFAULT_PAD_S, mute
from adapt_server.intake.redaction.groups import ENTITY_GROUPS, PHI_TYPES, PII_TYPES, resolve_entities
from adapt_server.intake.redaction.redactor import RedactionResult, Redactor, utterance_has_entities
from adapt_server.spans import RedactionSpan

__all__ = ["DEFAULT_PAD_S", "ENTITY_GROUPS", "PHI_TYPES", "PII_TYPES", "RedactionResult", "RedactionSpan",
           "Redactor", "mute", "resolve_entities", "utterance_has_entities"]
