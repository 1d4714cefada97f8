"""Scoring, the pure core of evaluations: per-utterance alignment, corpus metrics, confidence intervals, gates,
the leaderboard and the winner rule. No I/O, no gRPC, no SQLite: values in, values out; it imports nothing
above engines/ (layer 2: the resource side, `adapt_server.evaluation`, builds on it).

Flow: `TranscribedUtterance`s (reference + hypothesis + timing) --`score_utterances`--> `UtteranceScore`s
--> `CandidateResult` (with an optional `DiarizationResult` from `score_diarization`) --> `build_leaderboard`
and `choose_winner`.

Modules: `text` (normalizers), `alignment` (per-utterance S/D/I), `metrics` (corpus WER/CER/RTF, slices,
most-missed words, hallucination counts), `hallucination` (detectors), `bootstrap` (intervals, paired
differences), `diarization` (DER), `candidate` (metrics as per-unit ratios), `gates`, `leaderboard` (rows and
the winner rule).
"""
from adapt_server.scoring.alignment import (AlignedWord, TranscribedUtterance, UtteranceScore, score_utterance,
                                            score_utterances)
from adapt_server.scoring.bootstrap import (ConfidenceInterval, PairedDifference, bootstrap_ratio,
                                            paired_bootstrap_ratio, resolve_unit)
from adapt_server.scoring.candidate import METRICS, CandidateResult
from adapt_server.scoring.diarization import DiarizationResult, RecordingDiarization, score_diarization
from adapt_server.scoring.gates import CandidateGates, GateResult, Gates, check_gates
from adapt_server.scoring.hallucination import is_repetition_loop, non_speech_seconds, words_on_non_speech
from adapt_server.scoring.leaderboard import (LeaderboardRow, PairwiseComparison, WinnerDecision,
                                              build_leaderboard, choose_winner)
from adapt_server.scoring.metrics import (ErrorCounts, HallucinationSummary, WrongWord, corpus_cer, corpus_wer,
                                          most_wrong_words, realtime_factor, slice_counts, summarize_hallucinations,
                                          total_counts)
from adapt_server.scoring.text import DEFAULT_NORMALIZER, NORMALIZER_NAMES, Normalizer, normalizer_by_name

__all__ = [
    "AlignedWord", "TranscribedUtterance", "UtteranceScore", "score_utterance", "score_utterances",
    "ConfidenceInterval", "PairedDifference", "bootstrap_ratio", "paired_bootstrap_ratio", "resolve_unit",
    "METRICS", "CandidateResult",
    "DiarizationResult", "RecordingDiarization", "score_diarization",
    "CandidateGates", "GateResult", "Gates", "check_gates",
    "is_repetition_loop", "non_speech_seconds", "words_on_non_speech",
    "LeaderboardRow", "PairwiseComparison", "WinnerDecision", "build_leaderboard", "choose_winner",
    "ErrorCounts", "HallucinationSummary", "WrongWord", "corpus_cer", "corpus_wer", "most_wrong_words",
    "realtime_factor", "slice_counts", "summarize_hallucinations", "total_counts",
    "DEFAULT_NORMALIZER", "NORMALIZER_NAMES", "Normalizer", "normalizer_by_name",
]
