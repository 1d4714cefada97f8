"""One candidate model's results on a dataset split, and its metrics as per-unit ratios for the bootstrap.

Every metric is lower-is-better and a ratio of sums, so each reduces to (numerator, denominator) per unit:

| metric               | numerator per utterance          | denominator per utterance |
|----------------------|----------------------------------|---------------------------|
| `wer`                | S + D + I                        | reference words N         |
| `cer`                | character edits                  | reference characters      |
| `rtf`                | processing seconds               | audio seconds             |
| `hallucination_rate` | 1 if it hallucinated, else 0     | 1                         |
| `der`                | (per recording) missed + false alarm + confusion seconds | reference speech seconds |

Utterance rows are summed per unit (utterance or recording, see `bootstrap.resolve_unit`); DER is per
recording only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adapt_server.errors import InvalidArgument
from adapt_server.scoring.alignment import UtteranceScore
from adapt_server.scoring.bootstrap import sum_by_unit
from adapt_server.scoring.diarization import DiarizationResult
from adapt_server.scoring.metrics import ErrorCounts, HallucinationSummary, summarize_hallucinations, total_counts

WER, CER, DER, RTF, HALLUCINATION_RATE = "wer", "cer", "der", "rtf", "hallucination_rate"
METRICS = (WER, CER, DER, RTF, HALLUCINATION_RATE)  # all lower-is-better


@dataclass(frozen=True)
class CandidateResult:
    """What one model did on the evaluated utterances.

    Processing and audio seconds and the hallucination counts are those of the utterance scores (summed);
    `diarization` is present when the model's speaker turns were scored.
    """

    model_id: str
    scores: tuple[UtteranceScore, ...]  # one per utterance of the split, in any order
    diarization: DiarizationResult | None = None

    def __post_init__(self) -> None:
        ids = [score.utterance_id for score in self.scores]
        if len(set(ids)) != len(ids):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise InvalidArgument(f"candidate {self.model_id!r}: utterance ids must be unique; repeated: {duplicates}")

    @property
    def counts(self) -> ErrorCounts:
        return total_counts(self.scores)

    @property
    def hallucinations(self) -> HallucinationSummary:
        return summarize_hallucinations(self.scores)

    @property
    def processing_s(self) -> float:
        return self.counts.processing_s

    @property
    def audio_s(self) -> float:
        return self.counts.audio_s

    def has_metric(self, metric: str) -> bool:
        return metric != DER or self.diarization is not None

    def unit_ratios(self, metric: str, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(unit keys (n_units,) sorted, numerators (n_units,), denominators (n_units,)) of `metric`.

        unit: "utterance" or "recording" (ignored for DER, which is always per recording).
        """
        if metric == DER:
            if self.diarization is None:
                raise InvalidArgument(f"candidate {self.model_id!r} has no diarization result to compute DER from")
            recordings = self.diarization.recordings
            keys = np.array([recording.recording_id for recording in recordings], dtype=object).astype(str)
            return keys, np.array([r.errors_s for r in recordings]), np.array([r.reference_s for r in recordings])
        columns = np.array([_utterance_ratio(score, metric) for score in self.scores], dtype=np.float64).reshape(-1, 2)
        if unit == "utterance":
            keys = [score.utterance_id for score in self.scores]
        elif unit == "recording":
            keys = [score.recording_id for score in self.scores]
        else:
            raise InvalidArgument(f"unit must be 'utterance' or 'recording', got {unit!r}")
        unit_keys, sums = sum_by_unit(keys, columns)
        return unit_keys, sums[:, 0], sums[:, 1]

    def value(self, metric: str) -> float:
        """The metric on all the data (sum of numerators / sum of denominators; nan when that is 0/0)."""
        _, numerators, denominators = self.unit_ratios(metric, "utterance")
        denominator = denominators.sum()
        return float(numerators.sum() / denominator) if denominator else float("nan")


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise InvalidArgument(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    return metric


def _utterance_ratio(score: UtteranceScore, metric: str) -> tuple[float, float]:
    if metric == WER:
        return score.word_errors, score.ref_words
    if metric == CER:
        return score.char_edits, score.ref_chars
    if metric == RTF:
        return score.processing_s, score.audio_s
    if metric == HALLUCINATION_RATE:
        return float(score.hallucinated), 1.0
    raise InvalidArgument(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
