"""The `align` step's engine: transcripts aligned to audio with word times, or pseudo-labels without one.

- `align_transcript(samples, text, engine, *, max_utterance_s=30.0)`: a recording-level transcript aligned to
  its audio (any length) with Whisper forced alignment, cut into utterances at pauses, with a score that
  is low when the transcript does not match the audio.
- `pseudo_label(samples, engine, *, min_confidence)`: recognized utterances, low-confidence ones dropped.
"""
from adapt_server.intake.alignment.pseudo import pseudo_label
from adapt_server.intake.alignment.result import MIN_ALIGNMENT_SCORE, AlignedUtterance, AlignmentResult
from adapt_server.intake.alignment.transcript import align_transcript, cut_utterances

__all__ = ["MIN_ALIGNMENT_SCORE", "AlignedUtterance", "AlignmentResult", "align_transcript", "cut_utterances",
           "pseudo_label"]
