"""client.evaluations: create, get, list, cancel, delete, watch, wait, utterance results, report.

    run = client.evaluations.create(dataset_id=ds.id, candidates=["whisper-tiny.en", "pocketsphinx-en-us"],
                                    metrics=["wer", "realtime_factor"], split="holdout")
    print(client.evaluations.wait(run.id).leaderboard)     # a table; rows carry 95% intervals
    run.wait().winner                                       # a model id, or None (see run.reason)
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from adapt._resource_api import JobResourceAPI, all_pages
from adapt.errors import InvalidArgumentError
from adapt.resources import JobResource
from adapt.v1 import evaluations_pb2, evaluations_pb2_grpc

GATE_FIELDS = ("max_rtf", "max_hallucination_rate", "max_reference_regression", "reference_dataset_id",
               "reference_baseline", "reference_metric")


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float = 0.95

    @classmethod
    def from_proto(cls, m) -> "Interval":
        return cls(m.low, m.high, m.level or 0.95)

    def __str__(self) -> str:
        return f"[{_num(self.low)}, {_num(self.high)}]"


@dataclass(frozen=True)
class LeaderboardRow:
    """One candidate's numbers (lower is better); each *_ci is the 95% bootstrap interval of its number."""
    model_id: str
    kind: str                      # "asr" or "diarizer"
    utterances: int
    recordings: int
    wer: float
    wer_ci: Interval
    cer: float
    cer_ci: Interval
    rtf: float
    rtf_ci: Interval
    der: float | None
    der_ci: Interval | None
    hallucination_rate: float
    hallucination_rate_ci: Interval
    nonspeech_words_per_hour: float
    repetition_loops: int
    reference_words: int
    substitutions: int
    deletions: int
    insertions: int
    bootstrap_unit: str
    audio_s: float
    processing_s: float
    reference_wer: float | None = None     # general-speech WER (the forgetting gate's reference), when it ran
    reference_wer_ci: Interval | None = None

    @classmethod
    def from_proto(cls, m) -> "LeaderboardRow":
        has_der, has_reference = m.HasField("der"), m.HasField("reference_wer")
        return cls(m.model_id, m.kind, m.utterances, m.recordings, m.wer, Interval.from_proto(m.wer_ci), m.cer,
                   Interval.from_proto(m.cer_ci), m.rtf, Interval.from_proto(m.rtf_ci), m.der if has_der else None,
                   Interval.from_proto(m.der_ci) if has_der else None, m.hallucination_rate,
                   Interval.from_proto(m.hallucination_rate_ci), m.nonspeech_words_per_hour, m.repetition_loops,
                   m.reference_words, m.substitutions, m.deletions, m.insertions, m.bootstrap_unit, m.audio_s,
                   m.processing_s, m.reference_wer if has_reference else None,
                   Interval.from_proto(m.reference_wer_ci) if has_reference else None)


class Leaderboard(tuple):
    """The leaderboard rows, best first; prints as a table."""

    def __str__(self) -> str:
        if not self:
            return "(empty leaderboard)"
        show_der = any(row.der is not None for row in self)
        show_asr = any(row.kind == "asr" for row in self)
        show_general = any(row.reference_wer is not None for row in self)
        header = ["model"] + (["WER [95% CI]", "CER", "RTF [95% CI]", "halluc."] if show_asr else []) + \
                 (["general WER [95% CI]"] if show_general else []) + \
                 (["DER [95% CI]"] if show_der else []) + ["utts"]
        lines = []
        for row in self:
            cells = [row.model_id]
            if show_asr:
                cells += [f"{_num(row.wer)} {row.wer_ci}", _num(row.cer), f"{_num(row.rtf, 3)} {row.rtf_ci}",
                          _num(row.hallucination_rate)] if row.kind == "asr" else ["-", "-", "-", "-"]
            if show_general:
                cells += [f"{_num(row.reference_wer)} {row.reference_wer_ci}" if row.reference_wer is not None
                          else "-"]
            if show_der:
                cells += [f"{_num(row.der)} {row.der_ci}" if row.der is not None else "-"]
            cells += [str(row.utterances)]
            lines.append(cells)
        widths = [max(len(str(c)) for c in column) for column in zip(header, *lines)]
        return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
                         for cells in [header, *lines])


@dataclass(frozen=True)
class GateResult:
    model_id: str
    gate: str
    limit: float
    measured: float
    passed: bool
    detail: str


@dataclass(frozen=True)
class Comparison:
    """The leader against another candidate: difference = metric(leader) - metric(other)."""
    leader: str
    other: str
    metric: str
    difference: float
    ci: Interval
    probability_leader_better: float
    units: int


@dataclass(frozen=True)
class SliceResult:
    model_id: str
    by: str            # "speaker", "recording" or "source"
    key: str
    utterances: int
    reference_words: int
    wer: float
    wer_ci: Interval
    cer: float
    rtf: float
    substitutions: int
    deletions: int
    insertions: int


@dataclass(frozen=True)
class WrongWord:
    model_id: str
    word: str
    errors: int
    substitutions: int
    deletions: int
    top_hypothesis: str
    top_hypothesis_count: int


@dataclass(frozen=True)
class RecordingDiarization:
    model_id: str
    recording_id: str
    reference_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float
    der: float
    hypothesis_turns: tuple[tuple[float, float, str], ...]
    audio_s: float
    processing_s: float


@dataclass(frozen=True)
class UtteranceResult:
    """One candidate's hypothesis of one utterance, with its word alignment [(op, ref, hyp), ...]."""
    model_id: str
    utterance_id: str
    recording_id: str
    speaker: str
    source: str
    reference: str
    hypothesis: str
    reference_normalized: str
    hypothesis_normalized: str
    reference_words: int
    substitutions: int
    deletions: int
    insertions: int
    wer: float
    audio_s: float
    processing_s: float
    repetition_loop: bool
    nonspeech_words: int
    alignment: tuple[tuple[str, str, str], ...]
    start: float
    end: float

    @classmethod
    def from_proto(cls, m) -> "UtteranceResult":
        return cls(m.model_id, m.utterance_id, m.recording_id, m.speaker, m.source, m.reference, m.hypothesis,
                   m.reference_normalized, m.hypothesis_normalized, m.reference_words, m.substitutions,
                   m.deletions, m.insertions, m.wer, m.audio_s, m.processing_s, m.repetition_loop,
                   m.nonspeech_words, tuple((a.op, a.ref, a.hyp) for a in m.alignment), m.start, m.end)


@dataclass(eq=False)
class Evaluation(JobResource):
    """An evaluation run; once SUCCEEDED it holds the leaderboard, the winner (or None) and why."""
    name: str = ""
    dataset_id: str = ""
    candidates: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    split: str = ""
    primary_metric: str = ""
    normalizer: str = ""
    gates: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)
    leaderboard: Leaderboard = field(default_factory=Leaderboard)
    winner: str | None = None
    reason: str = ""
    leader: str | None = None
    gate_results: tuple[GateResult, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    slices: tuple[SliceResult, ...] = ()
    wrong_words: tuple[WrongWord, ...] = ()
    diarization: tuple[RecordingDiarization, ...] = ()
    reference_leaderboard: Leaderboard = field(default_factory=Leaderboard)
    notes: tuple[str, ...] = ()

    def _update(self, m) -> None:
        super()._update(m)
        self.name = m.name
        self.dataset_id, self.candidates, self.metrics = m.dataset_id, tuple(m.candidates), tuple(m.metrics)
        self.split, self.primary_metric, self.normalizer = m.split, m.primary_metric, m.normalizer
        g = m.gates
        self.gates = {name: getattr(g, name) for name in GATE_FIELDS
                      if (g.HasField(name) if name.startswith("max_") else getattr(g, name))}
        self.labels = dict(m.labels)
        r = m.result
        self.leaderboard = Leaderboard(LeaderboardRow.from_proto(row) for row in r.leaderboard)
        self.reference_leaderboard = Leaderboard(LeaderboardRow.from_proto(row) for row in r.reference_leaderboard)
        self.winner, self.reason, self.leader = r.winner or None, r.reason, r.leader or None
        self.gate_results = tuple(GateResult(x.model_id, x.gate, x.limit, x.measured, x.passed, x.detail)
                                  for x in r.gate_results)
        self.comparisons = tuple(Comparison(c.leader, c.other, c.metric, c.difference, Interval.from_proto(c.ci),
                                            c.probability_leader_better, c.units) for c in r.comparisons)
        self.slices = tuple(SliceResult(s.model_id, s.by, s.key, s.utterances, s.reference_words, s.wer,
                                        Interval.from_proto(s.wer_ci), s.cer, s.rtf, s.substitutions, s.deletions,
                                        s.insertions) for s in r.slices)
        self.wrong_words = tuple(WrongWord(w.model_id, w.word, w.errors, w.substitutions, w.deletions,
                                           w.top_hypothesis, w.top_hypothesis_count) for w in r.wrong_words)
        self.diarization = tuple(RecordingDiarization(
            d.model_id, d.recording_id, d.reference_s, d.missed_s, d.false_alarm_s, d.confusion_s, d.der,
            tuple((t.start, t.end, t.speaker) for t in d.hypothesis_turns), d.audio_s, d.processing_s)
            for d in r.diarization)
        self.notes = tuple(r.notes)

    def utterances(self, model_id: str = "", errors_only: bool = False) -> list[UtteranceResult]:
        return self._api.utterances(self.id, model_id=model_id, errors_only=errors_only)

    def report(self, out_dir: str | Path) -> Path:
        """Writes the HTML report with plots into out_dir; returns the path of report.html."""
        return self._api.report(self.id, out_dir)


class EvaluationsAPI(JobResourceAPI[Evaluation]):
    """Evaluations: get, cancel, watch and wait come from JobResourceAPI; list and list_page also filter by
    dataset; wait() survives a server restart."""
    resource_type, stub_type, messages = Evaluation, evaluations_pb2_grpc.EvaluationsStub, evaluations_pb2
    name, kind = "Evaluation", "evaluation"

    def create(self, dataset_id: str, candidates: list[str], metrics: list[str] | None = None, split: str = "all",
               primary_metric: str = "", normalizer: str = "", gates: dict | None = None, name: str = "",
               labels: dict[str, str] | None = None, request_id: str | None = None) -> Evaluation:
        """Starts evaluating `candidates` on the dataset's `split`; returns at once (PENDING; see wait()).

        metrics: "wer", "cer", "diarization_error_rate", "realtime_factor", "hallucination_rate" (default: all
        but DER). gates: {"max_rtf": 0.5, "max_hallucination_rate": 0.05, "max_reference_regression": 0.05,
        "reference_dataset_id": ..., "reference_baseline": "whisper-tiny.en"}. See docs/evaluations.md.
        """
        if isinstance(candidates, str):
            raise InvalidArgumentError("candidates must be a list of model ids, e.g. ['whisper-tiny.en']")
        gates = dict(gates or {})
        unknown = sorted(set(gates) - set(GATE_FIELDS))
        if unknown:
            raise InvalidArgumentError(f"gates: unknown field(s) {unknown}; known: {list(GATE_FIELDS)}")
        request = evaluations_pb2.CreateEvaluationRequest(
            dataset_id=dataset_id, candidates=list(candidates), metrics=list(metrics or []), split=split or "",
            primary_metric=primary_metric, normalizer=normalizer, name=name, labels=labels or {},
            request_id=request_id or uuid.uuid4().hex)
        try:
            for key, value in gates.items():
                if value is not None:
                    setattr(request.gates, key, value)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"gates: {exc}") from None
        return self._resource(self._call("CreateEvaluation", request))

    def list_page(self, page_size: int = 0, page_token: str = "",
                  dataset_id: str = "") -> tuple[list[Evaluation], str]:
        return self._list_page(page_size, page_token, dataset_id=dataset_id)

    def list(self, page_size: int = 0, dataset_id: str = "") -> Iterator[Evaluation]:
        """Every evaluation (of one dataset when given), oldest first, fetching pages as it goes."""
        return all_pages(lambda token: self.list_page(page_size, token, dataset_id))

    def delete(self, evaluation_id: str) -> None:
        self._call("DeleteEvaluation", evaluations_pb2.DeleteEvaluationRequest(id=evaluation_id))

    def utterances_page(self, evaluation_id: str, model_id: str = "", errors_only: bool = False,
                        page_size: int = 0, page_token: str = "") -> tuple[list[UtteranceResult], str]:
        response = self._call("ListUtteranceResults", evaluations_pb2.ListUtteranceResultsRequest(
            evaluation_id=evaluation_id, model_id=model_id, errors_only=errors_only, page_size=page_size,
            page_token=page_token))
        return [UtteranceResult.from_proto(u) for u in response.utterances], response.next_page_token

    def utterances(self, evaluation_id: str, model_id: str = "", errors_only: bool = False,
                   page_size: int = 0) -> list[UtteranceResult]:
        """Every per-utterance result (of one candidate when given), fetched page by page."""
        return list(all_pages(lambda token: self.utterances_page(evaluation_id, model_id, errors_only, page_size,
                                                                 token)))

    def report(self, evaluation_id: str, out_dir: str | Path) -> Path:
        """Writes `out_dir`/report.html (plots: WER per slice with intervals, error types, RTF, ...)."""
        from adapt._evaluation_report import write_report
        evaluation = self.get(evaluation_id)
        return write_report(evaluation, self.utterances(evaluation_id), Path(out_dir))


def _num(value: float | None, digits: int = 4) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"
