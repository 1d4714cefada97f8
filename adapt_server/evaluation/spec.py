"""What an evaluation asks for, validated: candidates, metrics, split, normalizer, primary metric and gates.

Metric names as users write them (`wer`, `cer`, `diarization_error_rate`, `realtime_factor`,
`hallucination_rate`, and the short `der`, `rtf`) map to the core's names (`candidate.METRICS`).
Candidates are model ids (scored on WER/CER/RTF/hallucination), diarizer ids (`DIARIZERS`, scored on DER) or
registered diarizer models (role "diarizer", e.g. a pyannote.audio pipeline registered as "pyannote-3.3").
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace

from adapt_server.errors import InvalidArgument, echo
from adapt_server.sampledata.reference_speech import GENERAL_REFERENCE_ID
from adapt_server.scoring.candidate import CER, DER, HALLUCINATION_RATE, RTF, WER
from adapt_server.scoring.gates import Gates
from adapt_server.scoring.text import DEFAULT_NORMALIZER, NORMALIZER_NAMES

METRIC_ALIASES = {"wer": WER, "cer": CER, "diarization_error_rate": DER, "der": DER, "realtime_factor": RTF,
                  "rtf": RTF, "hallucination_rate": HALLUCINATION_RATE}
PUBLIC_NAMES = {WER: "wer", CER: "cer", DER: "diarization_error_rate", RTF: "realtime_factor",
                HALLUCINATION_RATE: "hallucination_rate"}
DEFAULT_METRICS = (WER, CER, RTF, HALLUCINATION_RATE)
ASR_METRICS = frozenset({WER, CER, RTF, HALLUCINATION_RATE})
SPLITS = ("train", "holdout", "all")
DEFAULT_SPLIT = "all"
# diarizer candidate id -> "module:function" taking (samples float32 (n,), sample_rate) -> [SpeakerTurn]
DIARIZERS = {"adapt-diarizer": "adapt_server.intake.diarization:diarize",  # the embedded default
             "adapt-diarizer-dvector": "adapt_server.intake.diarization:diarize_dvector"}
MAX_CANDIDATES = 16
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class EvaluationSpec:
    dataset_id: str
    candidates: tuple[str, ...]  # model ids and diarizer ids, in the order given
    metrics: tuple[str, ...]  # core metric names (candidate.METRICS)
    split: str  # "train", "holdout" or "all"
    primary: str  # core metric name the winner is decided on
    normalizer: str = DEFAULT_NORMALIZER
    gates: Gates = field(default_factory=Gates)
    reference_dataset_id: str = ""  # the gates' reference dataset ("" when no forgetting gate)
    diarizer_models: tuple[str, ...] = ()  # candidates that are registered diarizer models (role "diarizer")
    language: str = ""  # the dataset's language code: ASR candidates decode in it ("" lets them detect)
    default_forgetting_gate: str = ""  # why the forgetting gate was added without being asked ("" when it was not)

    def is_diarizer(self, candidate: str) -> bool:
        return candidate in DIARIZERS or candidate in self.diarizer_models

    @property
    def asr_candidates(self) -> tuple[str, ...]:
        return tuple(c for c in self.candidates if not self.is_diarizer(c))

    @property
    def diarizer_candidates(self) -> tuple[str, ...]:
        return tuple(c for c in self.candidates if self.is_diarizer(c))

    @property
    def reference_models(self) -> tuple[str, ...]:
        """ASR models run on the reference dataset: every ASR candidate and the baseline."""
        if not self.reference_dataset_id:
            return ()
        baseline = self.gates.reference_baseline
        return self.asr_candidates + ((baseline,) if baseline and baseline not in self.asr_candidates else ())

    def to_dict(self) -> dict:
        data = asdict(self)
        data["candidates"], data["metrics"] = list(self.candidates), list(self.metrics)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> EvaluationSpec:
        return cls(dataset_id=data["dataset_id"], candidates=tuple(data["candidates"]),
                   metrics=tuple(data["metrics"]), split=data["split"], primary=data["primary"],
                   normalizer=data["normalizer"], gates=Gates(**data["gates"]),
                   reference_dataset_id=data.get("reference_dataset_id", ""),
                   diarizer_models=tuple(data.get("diarizer_models", ())), language=data.get("language", ""),
                   default_forgetting_gate=data.get("default_forgetting_gate", ""))

    @property
    def uses_general_reference(self) -> bool:
        """True when the forgetting gate scores the general-speech reference that ships with Adapt."""
        return self.reference_dataset_id == GENERAL_REFERENCE_ID


@dataclass(frozen=True)
class TunedCandidate:
    """What an evaluation needs to know of a fine-tuned candidate to check it for forgetting."""

    model_id: str
    base_model: str  # the model it was tuned from
    forgetting_budget: float  # relative general-speech regression allowed (the fine-tune's validation option)
    forgetting_reference: str = ""  # dataset id of the team's general speech ("": the shipped reference)


def with_default_forgetting_gate(spec: EvaluationSpec, tuned: Mapping[str, TunedCandidate]) -> EvaluationSpec:
    """The spec with a forgetting gate added when the request set none and a candidate is a fine-tuned model.

    tuned: candidate model id -> TunedCandidate, for the ASR candidates that are fine-tunes. The gate compares
    every candidate's general-speech WER with the fine-tune's base model (run on the reference too when it is
    not a candidate), at the fine-tune's forgetting budget, on its forgetting reference (default: the shipped
    general-speech reference). Tuned candidates of different bases: the first one's base (in candidate order);
    of different budgets: the strictest; of different references: the first named. Pure.
    """
    if spec.gates.max_reference_regression is not None:
        return spec  # the request configured its own forgetting gate
    found = [tuned[c] for c in spec.asr_candidates if c in tuned]
    if not found:
        return spec
    base = found[0].base_model
    budget = min(t.forgetting_budget for t in found)
    reference = next((t.forgetting_reference for t in found if t.forgetting_reference), "") or GENERAL_REFERENCE_ID
    gates = replace(spec.gates, max_reference_regression=budget, reference_baseline=base, reference_metric=WER)
    names = ", ".join(t.model_id for t in found)
    why = (f"forgetting gate added by default: {names} (fine-tuned) may be at most {budget:.0%} relatively worse "
           f"than {base} on general speech ({_reference_name(reference)})")
    return replace(spec, gates=gates, reference_dataset_id=reference, default_forgetting_gate=why)


def _reference_name(reference_dataset_id: str) -> str:
    if reference_dataset_id == GENERAL_REFERENCE_ID:
        return f"{GENERAL_REFERENCE_ID}, the reference that ships with Adapt"
    return f"dataset {reference_dataset_id}"


def parse_spec(dataset_id: str, candidates: list[str], metrics: list[str], split: str, primary: str = "",
               normalizer: str = "", gates: dict | None = None,
               diarizer_models: frozenset[str] = frozenset(), language: str = "") -> EvaluationSpec:
    """Validates a request; InvalidArgument naming the field and the choices when something is wrong.

    diarizer_models: the candidates that are registered diarizer models; language: the dataset's language.

    gates: {"max_rtf", "max_hallucination_rate", "max_reference_regression", "reference_dataset_id",
    "reference_baseline", "reference_metric"} (absent or None: gate off).
    """
    if not dataset_id:
        raise InvalidArgument("dataset_id is required: the dataset whose utterances the candidates transcribe")
    candidates = [c.strip() for c in candidates]
    if not candidates or not all(candidates):
        raise InvalidArgument("candidates must list at least one model id (e.g. 'whisper-tiny.en', "
                              "'pocketsphinx-en-us') or diarizer ('adapt-diarizer'), none empty")
    if len(set(candidates)) != len(candidates):
        raise InvalidArgument(f"candidates must be distinct; got {echo(candidates)}")
    if len(candidates) > MAX_CANDIDATES:
        raise InvalidArgument(f"{len(candidates)} candidates; the limit is {MAX_CANDIDATES}")
    core_metrics = _metrics(metrics)
    split = split or DEFAULT_SPLIT
    if split not in SPLITS:
        raise InvalidArgument(f"split {echo(split)} is not one of {', '.join(SPLITS)}")
    normalizer = normalizer or DEFAULT_NORMALIZER
    if normalizer not in NORMALIZER_NAMES:
        raise InvalidArgument(f"normalizer {echo(normalizer)} is not one of {', '.join(NORMALIZER_NAMES)}")
    primary = _metric(primary, "primary_metric") if primary else (WER if WER in core_metrics else core_metrics[0])
    if primary not in core_metrics:
        core_metrics = core_metrics + (primary,)
    asr = [c for c in candidates if c not in DIARIZERS and c not in diarizer_models]
    diarizers = [c for c in candidates if c in DIARIZERS or c in diarizer_models]
    if primary == DER and not diarizers:
        raise InvalidArgument(f"primary_metric diarization_error_rate ranks speaker turns: add a diarizer "
                              f"candidate ({', '.join(DIARIZERS)}) or rank on another metric")
    if diarizers and DER not in core_metrics:
        raise InvalidArgument(f"diarizer candidates {diarizers} are scored on diarization_error_rate: add that "
                              "metric")
    if asr and not (ASR_METRICS & set(core_metrics)):
        raise InvalidArgument(f"ASR candidates {asr} need an ASR metric (wer, cer, realtime_factor or "
                              "hallucination_rate)")
    if primary == DER and asr or primary != DER and diarizers and not asr:
        raise InvalidArgument(f"primary_metric {PUBLIC_NAMES[primary]} cannot rank "
                              f"{asr if primary == DER else diarizers}; rank ASR models on wer/cer/... and "
                              "diarizers on diarization_error_rate in separate evaluations, or mix them with an "
                              "ASR primary metric")
    core_gates, reference_dataset_id = _gates(gates or {}, asr)
    return EvaluationSpec(dataset_id=dataset_id, candidates=tuple(candidates), metrics=core_metrics, split=split,
                          primary=primary, normalizer=normalizer, gates=core_gates,
                          reference_dataset_id=reference_dataset_id,
                          diarizer_models=tuple(c for c in candidates if c in diarizer_models), language=language)


def _metrics(names: list[str]) -> tuple[str, ...]:
    if not names:
        return DEFAULT_METRICS
    resolved: list[str] = []
    for name in names:
        metric = _metric(name, "metrics")
        if metric not in resolved:
            resolved.append(metric)
    return tuple(resolved)


def _metric(name: str, field_name: str) -> str:
    try:
        return METRIC_ALIASES[name.strip().lower()]
    except KeyError:
        raise InvalidArgument(f"{field_name}: unknown metric {echo(name)}; choose from "
                              f"{', '.join(PUBLIC_NAMES.values())} (or der, rtf)") from None


def _gates(gates: dict, asr: list[str]) -> tuple[Gates, str]:
    known = {"max_rtf", "max_hallucination_rate", "max_reference_regression", "reference_dataset_id",
             "reference_baseline", "reference_metric"}
    unknown = sorted(set(gates) - known)
    if unknown:
        raise InvalidArgument(f"gates: unknown field(s) {unknown}; known: {sorted(known)}")
    limits = {}
    for name in ("max_rtf", "max_hallucination_rate", "max_reference_regression"):
        value = gates.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InvalidArgument(f"gates.{name} must be a finite number >= 0, got {echo(value)}")
        limits[name] = float(value)
    if limits.get("max_hallucination_rate", 0.0) > 1:
        raise InvalidArgument(f"gates.max_hallucination_rate is a fraction of utterances (0..1), got "
                              f"{limits['max_hallucination_rate']}")
    reference_dataset_id = (gates.get("reference_dataset_id") or "").strip()
    if "max_reference_regression" in limits and not reference_dataset_id:
        reference_dataset_id = GENERAL_REFERENCE_ID  # the general-speech reference that ships with Adapt
    baseline = (gates.get("reference_baseline") or "").strip() or None
    metric = _metric(gates.get("reference_metric") or "wer", "gates.reference_metric")
    if metric not in (WER, CER):
        raise InvalidArgument(f"gates.reference_metric must be wer or cer, got {echo(gates.get('reference_metric'))}")
    if "max_reference_regression" in limits:
        if not reference_dataset_id or not baseline:
            raise InvalidArgument("gates.max_reference_regression needs gates.reference_baseline (the model id "
                                  "to compare with, e.g. 'whisper-tiny.en'); gates.reference_dataset_id names the "
                                  f"general speech (default: {GENERAL_REFERENCE_ID}, shipped with Adapt)")
        if baseline in DIARIZERS:
            raise InvalidArgument(f"gates.reference_baseline must be an ASR model id, got {echo(baseline)}")
        if not asr:
            raise InvalidArgument("gates.max_reference_regression compares ASR models; no ASR candidate given")
    elif reference_dataset_id or baseline:
        raise InvalidArgument("gates.reference_dataset_id and gates.reference_baseline only apply with "
                              "gates.max_reference_regression; set it (e.g. 0.05) or leave them out")
    try:
        core = Gates(max_rtf=limits.get("max_rtf"), max_hallucination_rate=limits.get("max_hallucination_rate"),
                     max_reference_regression=limits.get("max_reference_regression"), reference_baseline=baseline,
                     reference_metric=metric)
    except InvalidArgument as exc:
        raise InvalidArgument(f"gates: {exc.message}") from None
    return core, reference_dataset_id
