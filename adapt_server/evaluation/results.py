"""The stored result of an evaluation: core values (leaderboard rows, the winner decision, slices, wrong words,
DER per recording) as plain dicts whose keys are the field names of `adapt.v1.EvaluationResult`, so the API
converts them with protobuf's JSON mapping and nothing is lost in between. Pure."""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from adapt_server.scoring.alignment import UtteranceScore
from adapt_server.scoring.bootstrap import ConfidenceInterval, bootstrap_ratio
from adapt_server.scoring.candidate import CandidateResult
from adapt_server.scoring.diarization import DiarizationResult
from adapt_server.scoring.leaderboard import LeaderboardRow, WinnerDecision
from adapt_server.scoring.metrics import SLICE_FIELDS, most_wrong_words, slice_counts

WRONG_WORDS_PER_CANDIDATE = 20


def interval(ci: ConfidenceInterval | None) -> dict:
    if ci is None:
        return {"low": math.nan, "high": math.nan, "level": 0.95}
    return {"low": ci.low, "high": ci.high, "level": ci.level}


def leaderboard_row(row: LeaderboardRow, result: CandidateResult, kind: str) -> dict:
    data = {
        "model_id": row.model_id, "kind": kind, "utterances": row.n_utterances, "recordings": row.n_recordings,
        "wer": row.wer, "wer_ci": interval(row.wer_ci), "cer": row.cer, "cer_ci": interval(row.cer_ci),
        "rtf": row.rtf, "rtf_ci": interval(row.rtf_ci),
        "hallucination_rate": row.hallucination_rate,
        "hallucination_rate_ci": interval(row.hallucination_rate_ci),
        "nonspeech_words_per_hour": row.nonspeech_words_per_hour, "repetition_loops": row.repetition_loops,
        "reference_words": row.ref_words, "substitutions": row.substitutions, "deletions": row.deletions,
        "insertions": row.insertions, "bootstrap_unit": row.bootstrap_unit,
        "audio_s": result.audio_s, "processing_s": result.processing_s,
    }
    if row.der is not None:
        d = result.diarization
        data.update(der=row.der, der_ci=interval(row.der_ci), missed_s=d.missed_s, false_alarm_s=d.false_alarm_s,
                    confusion_s=d.confusion_s, reference_speech_s=d.reference_s)
    return data


def decision_fields(decision: WinnerDecision | None) -> dict:
    if decision is None:
        return {"winner": "", "reason": "no candidate can be ranked on the primary metric", "leader": "",
                "gate_results": [], "comparisons": []}
    return {
        "winner": decision.winner or "", "reason": decision.reason, "leader": decision.leader or "",
        "gate_results": [{"model_id": g.model_id, "gate": r.gate, "limit": r.limit, "measured": r.measured,
                          "passed": r.passed, "detail": r.detail} for g in decision.gates for r in g.results],
        "comparisons": [{"leader": c.leader, "other": c.other, "metric": c.metric,
                         "difference": c.difference.estimate, "ci": interval(c.difference.ci),
                         "probability_leader_better": c.difference.probability_a_better,
                         "units": c.difference.n_units} for c in decision.comparisons],
    }


def slices(result: CandidateResult, *, n_resamples: int = 1000, seed: int = 0) -> list[dict]:
    """WER (with a bootstrap interval over the slice's utterances), CER and RTF per speaker, recording and
    source."""
    rows = []
    for by, attribute in SLICE_FIELDS.items():
        members: dict[str, list[UtteranceScore]] = defaultdict(list)
        for score in result.scores:
            members[str(getattr(score, attribute))].append(score)
        for key, counts in slice_counts(result.scores, by).items():
            scores = members[key]
            ci = bootstrap_ratio(np.array([s.word_errors for s in scores], dtype=float),
                                 np.array([s.ref_words for s in scores], dtype=float),
                                 n_resamples=n_resamples, seed=seed)
            rows.append({"model_id": result.model_id, "by": by, "key": key, "utterances": counts.utterances,
                         "reference_words": counts.ref_words, "wer": counts.wer, "wer_ci": interval(ci),
                         "cer": counts.cer, "rtf": counts.rtf, "substitutions": counts.substitutions,
                         "deletions": counts.deletions, "insertions": counts.insertions})
    return rows


def wrong_words(result: CandidateResult, limit: int = WRONG_WORDS_PER_CANDIDATE) -> list[dict]:
    return [{"model_id": result.model_id, "word": w.word, "errors": w.errors, "substitutions": w.substitutions,
             "deletions": w.deletions, "top_hypothesis": w.top_hypothesis or "",
             "top_hypothesis_count": w.top_hypothesis_count} for w in most_wrong_words(result.scores, limit)]


def diarization_rows(model_id: str, diarization: DiarizationResult, turns: dict[str, Sequence],
                     timing: dict[str, tuple[float, float]]) -> list[dict]:
    """One row per recording; turns: recording id -> (start, end, speaker); timing: id -> (audio s, processing s)."""
    return [{"model_id": model_id, "recording_id": r.recording_id, "reference_s": r.reference_s,
             "missed_s": r.missed_s, "false_alarm_s": r.false_alarm_s, "confusion_s": r.confusion_s, "der": r.der,
             "hypothesis_turns": [{"start": a, "end": b, "speaker": s} for a, b, s in turns.get(r.recording_id, ())],
             "audio_s": timing.get(r.recording_id, (0.0, 0.0))[0],
             "processing_s": timing.get(r.recording_id, (0.0, 0.0))[1]}
            for r in diarization.recordings]


def utterance_score(score: UtteranceScore) -> dict:
    """What the per-utterance results RPC shows beyond the stored hypothesis row."""
    return {"reference_normalized": score.reference_normalized,
            "hypothesis_normalized": score.hypothesis_normalized, "reference_words": score.ref_words,
            "substitutions": score.substitutions, "deletions": score.deletions, "insertions": score.insertions,
            "errors": score.word_errors, "wer": score.wer, "repetition_loop": score.repetition_loop,
            "alignment": [[pair.op, pair.ref or "", pair.hyp or ""] for pair in score.alignment]}
