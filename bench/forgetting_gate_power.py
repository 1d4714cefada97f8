"""What regression the shipped general-speech reference can detect (docs/training.md).

Transcribes the 12 reference clips with the bundled whisper-tiny.en (WhisperEngine, int8, default decode options,
the evaluation's path), then asks: if a tuned model made k more word errors than the base, spread over the
clips in proportion to their words, would a paired bootstrap 95% interval of WER(tuned) - WER(base) exclude 0?
Prints the base WER, the relative regression one extra error is, and the smallest k (and relative regression)
the interval detects. Usage: python bench/forgetting_gate_power.py
"""
from __future__ import annotations

import numpy as np

from adapt_server.engines.whisper import WhisperEngine
from adapt_server.models.bundled import bundled_model_path
from adapt_server.sampledata.reference_speech import general_reference
from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
from adapt_server.scoring.bootstrap import paired_bootstrap_ratio
from adapt_server.scoring.text import Normalizer


def main() -> None:
    clips = general_reference()
    engine = WhisperEngine(bundled_model_path(), "whisper-tiny.en")
    hypotheses = [engine.transcribe(clip.samples).text for clip in clips]
    scores = score_utterances([TranscribedUtterance(c.id, c.text, h) for c, h in zip(clips, hypotheses)],
                              Normalizer("whisper_english"))
    errors = np.array([s.word_errors for s in scores], dtype=float)
    words = np.array([s.ref_words for s in scores], dtype=float)
    base = errors.sum() / words.sum()
    print(f"reference: {len(clips)} clips, {sum(c.duration_s for c in clips):.1f} s, {int(words.sum())} words; "
          f"whisper-tiny.en WER {base:.4f} ({int(errors.sum())} errors)")
    print(f"one extra error = +{1 / words.sum():.4f} absolute = {1 / errors.sum():+.1%} relative")
    for k in range(1, int(words.sum())):
        extra = np.floor(k * words / words.sum())
        for index in np.argsort(-(k * words / words.sum() - extra))[:int(k - extra.sum())]:
            extra[index] += 1  # largest remainders: exactly k extra errors
        difference = paired_bootstrap_ratio(errors + extra, words, errors, words)
        if difference.ci.low > 0:
            print(f"smallest regression the paired bootstrap 95% CI detects: {k} extra errors, WER "
                  f"{(errors.sum() + k) / words.sum():.4f} ({k / errors.sum():+.0%} relative), CI "
                  f"[{difference.ci.low:+.4f}, {difference.ci.high:+.4f}]")
            break


if __name__ == "__main__":
    main()
