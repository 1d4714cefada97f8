"""The `evaluation.run` job (worker process): run every candidate on the dataset split, score, rank, decide.

1. Select the split's units (`units.py`); with a forgetting gate, also the reference dataset's (all of it).
2. ASR candidates: every unit goes through `speech.service.transcribe` - the function the Transcribe RPC
   uses to time a request - on an engine from the same `EngineRegistry`, with the request defaults of
   `speech.service.decode_options`; so WER and RTF are those of the serving path. Each engine is warmed up
   first (first-call costs such as numba compilation are not the model's speed). Diarizer candidates run on
   every recording of the split with reference speaker turns.
3. The work is cut into shards (a candidate on ~10 min of consecutive units) that run where the job's
   executor puts them (jobs/executor.py: in this process, or as Ray tasks); each shard's hypotheses come back
   and are committed here in one transaction, keyed by utterance: a resumed job skips the shards committed.
4. Score (normalizer, S/D/I alignment), build the leaderboard with bootstrap intervals, apply the gates and
   the winner rule (`leaderboard.py`), store per-utterance scores and the result.

Evaluations are reproducible: the temperature fallback samples, and CTranslate2 seeds each decoding thread's
generator once, when that thread first samples, from the process-wide seed. Every shard loads its own engine
(new threads) after fixing that seed, so the same candidate on the same split gives the same hypotheses,
whichever executor ran the shards, in whatever process, and across resumes.
"""
from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import ctranslate2
import numpy as np

from adapt_server.audio.constants import TARGET_SAMPLE_RATE
from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.errors import FailedPrecondition
from adapt_server.evaluation import results as result_dicts
from adapt_server.evaluation.spec import DIARIZERS, EvaluationSpec
from adapt_server.evaluation.units import EvalUnit, SplitSelection, non_speech_arrays, select_split
from adapt_server.models.loading import aligner_for, load_with_aligner, request_language
from adapt_server.sampledata.reference_speech import GENERAL_REFERENCE_ID, general_reference
from adapt_server.observability import metrics
from adapt_server.scoring.alignment import TranscribedUtterance, score_utterances
from adapt_server.scoring.candidate import DER, CandidateResult
from adapt_server.scoring.diarization import score_diarization
from adapt_server.scoring.hallucination import words_on_non_speech
from adapt_server.scoring.leaderboard import build_leaderboard, choose_winner
from adapt_server.scoring.text import Normalizer
from adapt_server.speech import service as speech
from adapt_server.store.evaluations import PRIMARY, REFERENCE, DiarizationRow, EvaluationRepository, HypothesisRow

TRANSCRIBE_SHARE = 0.95  # of the progress bar; scoring takes the rest
SAMPLING_SEED = 0  # CTranslate2's process-wide seed, fixed before a job loads its engines


def run_evaluation_job(ctx) -> str:
    store, evaluation_id = ctx.store, ctx.payload["evaluation_id"]
    repository = store.evaluations
    record = repository.get(evaluation_id)
    spec = EvaluationSpec.from_dict(record.spec)
    ctx.progress(0.0, "prepare", message=f"selecting split {spec.split!r} of {spec.dataset_id}")
    primary = _selection(store, spec.dataset_id, spec.split)
    for note in primary.notes:
        ctx.log(note, level="warning")
    reference = _selection(store, spec.reference_dataset_id, "all") if spec.reference_dataset_id else None
    work = _work_plan(spec, primary, reference)
    total = sum(units for _, _, _, units in work) or 1
    in_process = ctx.executor.name == "local"
    shards, progress = [], {"done": 0}
    left: dict[tuple[str, str], int] = {}  # (scope, model) -> shards not yet committed
    for scope, model_id, selection, units in work:
        committed = repository.committed_units(evaluation_id, scope, model_id)
        for shard in _shards(store, spec, scope, model_id, selection):
            if set(shard.keys) <= committed:  # committed by an earlier, interrupted run
                progress["done"] += len(shard.keys)
                continue
            shards.append(shard)
            left[(scope, model_id)] = left.get((scope, model_id), 0) + 1

    ctx.log(f"{len(shards)} shards to run on the {ctx.executor.name} executor ({progress['done']} of {total} "
            f"units committed before)")

    def tick_for(shard: EvaluationShard, base: int):
        def tick(count: int) -> None:
            ctx.progress(TRANSCRIBE_SHARE * (base + count) / total, f"{shard.scope}:{shard.model_id}", count,
                         len(shard.keys), "recordings" if shard.diarizer else "utterances")
        return tick

    def tasks():
        for shard in shards:
            if in_process:  # per-utterance progress, as the shard runs here
                shard = replace(shard, tick=tick_for(shard, progress["done"]))
                shard.tick(0)
            yield shard

    def commit(index: int, rows) -> None:
        shard = shards[index]
        if shard.diarizer:
            repository.add_diarization(evaluation_id, shard.scope, rows)
        else:
            repository.add_hypotheses(evaluation_id, shard.scope, rows)
            for row in rows:
                metrics.real_time_factor(shard.model_id, "evaluation", row.processing_s, row.audio_s)
        metrics.shard_committed(EVALUATION_SHARD, ctx.executor.name)
        progress["done"] += len(shard.keys)
        ctx.progress(TRANSCRIBE_SHARE * progress["done"] / total, f"{shard.scope}:{shard.model_id}",
                     progress["done"], total, "recordings" if shard.diarizer else "utterances")
        left[(shard.scope, shard.model_id)] -= 1
        if not left[(shard.scope, shard.model_id)]:
            units = next(u for s, m, _, u in work if (s, m) == (shard.scope, shard.model_id))
            ctx.log(f"{shard.model_id}: {units} {'recordings' if shard.diarizer else 'utterances'} of the "
                    f"{shard.scope} data done")

    ctx.executor.map(EVALUATION_SHARD, tasks(), commit, ctx.check_cancelled)
    ctx.progress(TRANSCRIBE_SHARE, "score", force=True, message="scoring, bootstrap intervals and the winner")
    result = score_evaluation(repository, evaluation_id, spec, primary, reference)
    repository.set_result(evaluation_id, result)
    winner = result["winner"] or "no winner"
    return f"evaluated {len(spec.candidates)} candidates on {len(primary.units)} utterances: {winner}"


# --- shards: a candidate on a stretch of the data -------------------------------------------------------------
EVALUATION_SHARD = "adapt_server.evaluation.job:evaluation_shard"
SHARD_AUDIO_ENV = "ADAPT_EVAL_SHARD_AUDIO_S"
DEFAULT_SHARD_AUDIO_S = 600.0
# A shard (the unit of retry, resume and commit) holds consecutive units up to this many seconds of audio (at
# least one unit). It pays one engine load and warm-up, so it should hold far more audio than that costs:
# 10 min of audio is ~30 s of tiny.en on one CPU core against ~0.5 s of loading. Hypotheses depend on the shard
# boundaries only where the temperature fallback samples, so every server that must give identical results
# (the local and the Ray executor of one deployment) uses the same value; the default is the same everywhere.


@dataclass(frozen=True)
class EvaluationShard:
    """One candidate on consecutive units (about SHARD_AUDIO_S of audio) of one scope. A shard's hypotheses depend only on its
    model and units: it loads its own engine after fixing CTranslate2's seed (see the module docstring), so
    the results are the same whichever executor, node or process ran it, and after a resume."""
    scope: str
    model_id: str
    record: object  # the candidate's ModelRecord (ASR, or a registered diarizer), None for a built-in diarizer
    units: tuple = ()  # EvalUnit (ASR)
    recordings: tuple = ()  # RecordingRow with reference turns (diarizers)
    tick: object = None  # progress callback (in process only)
    aligner: object = None  # ModelRecord of the model that times the candidate's words (None: it times its own)
    language: str = "en"  # what an ASR candidate decodes in (models/loading.py request_language)

    @property
    def diarizer(self) -> bool:
        return self.model_id in DIARIZERS or getattr(self.record, "role", "") == "diarizer"

    @property
    def keys(self) -> tuple[str, ...]:
        """What its commit writes, by key: utterance ids (ASR) or recording ids (diarizers)."""
        return tuple(r.id for r in self.recordings) if self.diarizer else tuple(u.utterance_id for u in self.units)


def shard_audio_s() -> float:
    return float(os.environ.get(SHARD_AUDIO_ENV) or DEFAULT_SHARD_AUDIO_S)


def _shards(store, spec: EvaluationSpec, scope: str, model_id: str, selection: SplitSelection) -> list[EvaluationShard]:
    durations = {r.id: r.duration_s for r in selection.recordings}
    record = None if model_id in DIARIZERS else store.models.get(model_id)
    if model_id not in DIARIZERS and record is None:
        raise FailedPrecondition(f"candidate model {model_id!r} was deleted while the evaluation waited")
    if spec.is_diarizer(model_id):
        recordings = [r for r in selection.recordings if r.id in selection.reference_turns]
        return [EvaluationShard(scope, model_id, record, recordings=tuple(group))
                for group in _by_audio(recordings, lambda r: r.duration_s)]
    aligner, language = aligner_for(store, record), request_language(record, spec.language)

    def seconds(unit: EvalUnit) -> float:
        if unit.start_s is None or unit.end_s is None:
            return durations.get(unit.recording_id, 0.0)
        return max(0.0, unit.end_s - unit.start_s)
    return [EvaluationShard(scope, model_id, record, units=tuple(group), aligner=aligner, language=language)
            for group in _by_audio(selection.units, seconds)]


def _by_audio(items: Sequence, seconds: Callable) -> list[list]:
    """Consecutive groups of `items` holding up to shard_audio_s() of audio each (at least one item)."""
    limit, groups, current, total = shard_audio_s(), [], [], 0.0
    for item in items:
        if current and total + seconds(item) > limit:
            groups.append(current)
            current, total = [], 0.0
        current.append(item)
        total += seconds(item)
    return groups + ([current] if current else [])


def evaluation_shard(node, shard: EvaluationShard) -> list:
    """Transcribes (or diarizes) one shard (jobs/executor.py: runs anywhere, reads blobs, writes nothing)."""
    tick = shard.tick if shard.tick is not None else (lambda done: None)
    if shard.diarizer:
        diarize = None
        if shard.record is not None:  # a registered diarizer model (a pyannote.audio pipeline directory)
            from adapt_server.intake.diarization import PyannoteDiarizer
            diarize = PyannoteDiarizer.from_path(node.model_here(shard.record).path)
        return run_diarizer(shard.model_id, shard.recordings, {r.id: () for r in shard.recordings},
                            node.blobs.path, tick, diarize=diarize)
    from adapt_server.engines.registry import EngineRegistry
    ctranslate2.set_random_seed(SAMPLING_SEED)
    registry = EngineRegistry(cache_dir=node.engine_cache_dir, threads=node.thread_budget(), max_engines=2,
                              device=node.device)
    # word times from the family's aligner (resolved by the driver), as the Transcribe RPC serves them
    engine = load_with_aligner(registry, node.model_here(shard.record),
                               node.model_here(shard.aligner) if shard.aligner is not None else None,
                               speech.compute_type(speech.Recognition(model=shard.model_id),
                                                   registry.default_compute_type))
    engine.warmup()
    return run_asr_candidate(engine, shard.model_id, shard.units, node.blobs.path, tick, language=shard.language)


def _selection(store, dataset_id: str, split: str) -> SplitSelection:
    if dataset_id == GENERAL_REFERENCE_ID:
        return general_reference_selection(store.blobs)
    dataset = store.datasets.get(dataset_id)
    if dataset is None:
        raise FailedPrecondition(f"dataset {dataset_id} was deleted while the evaluation waited; create a new one")
    return select_split(dataset, store.datasets.recordings(dataset_id), store.datasets.utterances(dataset_id),
                        store.datasets.turns(dataset_id), split)


def general_reference_selection(blobs) -> SplitSelection:
    """The general-speech reference that ships (sampledata/reference_speech.py) as units: one whole-clip unit per
    clip, its WAV put into the blob store (idempotent) so a shard reads it like any recording, on any node."""
    units = []
    for clip in general_reference():
        sha = blobs.put_file(clip.path)
        units.append(EvalUnit(utterance_id=clip.id, recording_id=clip.id, audio_sha256=sha, start_s=None,
                              end_s=None, reference=clip.text, speaker=clip.speaker, source=GENERAL_REFERENCE_ID))
    return SplitSelection(units=tuple(units), recordings=(), reference_turns={})


def _work_plan(spec: EvaluationSpec, primary: SplitSelection,
               reference: SplitSelection | None) -> list[tuple[str, str, SplitSelection, int]]:
    """(scope, candidate, selection, units of work) in the order they run."""
    if spec.asr_candidates and not primary.units:
        raise FailedPrecondition(f"dataset {spec.dataset_id} has no reference transcripts in split {spec.split!r}: "
                                 "WER needs them (sidecar transcripts, or an align step)")
    if spec.diarizer_candidates and not primary.reference_turns:
        raise FailedPrecondition(f"dataset {spec.dataset_id} has no speaker turns in split {spec.split!r}: DER "
                                 "needs reference turns (RTTM sidecars, speaker-labelled transcripts, or a "
                                 "diarize step)")
    plan = [(PRIMARY, model_id, primary, len(primary.units)) for model_id in spec.asr_candidates]
    plan += [(PRIMARY, model_id, primary, len(primary.reference_turns)) for model_id in spec.diarizer_candidates]
    if reference is not None:
        if not reference.units:
            raise FailedPrecondition(f"gates.reference_dataset_id {spec.reference_dataset_id} has no reference "
                                     "transcripts: the forgetting gate compares WER on it")
        plan += [(REFERENCE, model_id, reference, len(reference.units)) for model_id in spec.reference_models]
    return plan


def run_asr_candidate(engine, model_id: str, units: Sequence[EvalUnit], blob_path: Callable,
                      tick: Callable[[int], None] = lambda done: None, language: str = "en") -> list[HypothesisRow]:
    """Transcribes every unit on the Transcribe code path (`speech.service.transcribe`); one row per unit.

    blob_path: audio sha256 -> the stored WAV path. processing_s is the request timer of that path.
    language: the dataset's language ("" lets the model detect it).
    """
    options = speech.decode_options(speech.Recognition(model=model_id), language=language)
    audio = _RecordingAudio(blob_path)
    rows = []
    for index, unit in enumerate(units):
        samples = audio.samples(unit.audio_sha256)
        first, last = unit.sample_range(samples.size, TARGET_SAMPLE_RATE)

        def load(first=first, last=last, samples=samples) -> np.ndarray:
            return samples[first:last]

        timed = speech.transcribe(engine, model_id, load, options)
        regions = non_speech_arrays(unit)
        spans = [(word.start, word.end) for word in timed.transcription.words]
        rows.append(HypothesisRow(
            model_id=model_id, utterance_id=unit.utterance_id, recording_id=unit.recording_id,
            speaker=unit.speaker, source=unit.source, start_s=unit.start_s, end_s=unit.end_s,
            reference=unit.reference, hypothesis=timed.transcription.text, audio_s=timed.duration_s,
            processing_s=timed.processing_s, nonspeech_s=float(np.sum(regions[:, 1] - regions[:, 0])),
            nonspeech_words=words_on_non_speech(spans, regions)))
        tick(index + 1)
    return rows


def run_diarizer(model_id: str, recordings: Sequence, reference_turns: dict, blob_path: Callable,
                 tick: Callable[[int], None] = lambda done: None, diarize: Callable | None = None
                 ) -> list[DiarizationRow]:
    """Runs a diarizer on every recording that has reference turns; one row of hypothesis turns per recording.
    diarize: (samples, sample_rate) -> turns (default: the built-in diarizer named model_id)."""
    diarize = diarize or _diarizer(model_id)
    rows = []
    for recording in (r for r in recordings if r.id in reference_turns):
        samples, _ = read_pcm16_wav(blob_path(recording.audio_sha256))
        started = time.perf_counter()
        turns = diarize(samples, TARGET_SAMPLE_RATE)
        elapsed = time.perf_counter() - started
        rows.append(DiarizationRow(model_id, recording.id,
                                   tuple((float(t.start), float(t.end), str(t.speaker)) for t in turns),
                                   samples.size / TARGET_SAMPLE_RATE, elapsed))
        tick(len(rows))
    return rows


def _diarizer(model_id: str, store=None) -> Callable:
    """The diarizer function of a candidate id, imported on first use (it loads its models lazily too): a built-in
    one (DIARIZERS) or a registered diarizer model (a pyannote.audio pipeline directory)."""
    if model_id not in DIARIZERS:
        from adapt_server.intake.diarization import PyannoteDiarizer
        record = store.models.get(model_id) if store is not None else None
        if record is None:
            raise FailedPrecondition(f"diarizer model {model_id!r} was deleted while the evaluation waited")
        return PyannoteDiarizer.from_path(record.path)
    module_name, function = DIARIZERS[model_id].split(":")
    try:
        return getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as exc:
        raise FailedPrecondition(f"diarizer {model_id!r} is not available in this server ({exc}); "
                                 "evaluate ASR candidates only, or install the diarization extras") from None


class _RecordingAudio:
    """The decoded audio of the recording last used (units of one recording come one after another)."""

    def __init__(self, blob_path: Callable):
        self.blob_path = blob_path
        self._sha, self._samples = None, None

    def samples(self, sha256: str) -> np.ndarray:
        if sha256 != self._sha:
            self._samples, _ = read_pcm16_wav(self.blob_path(sha256))
            self._sha = sha256
        return self._samples


# --- scoring ----------------------------------------------------------------------------------------------
def candidate_results(repository: EvaluationRepository, evaluation_id: str, scope: str, models: Sequence[str],
                      normalizer: Normalizer) -> dict[str, CandidateResult]:
    """model id -> CandidateResult of the stored hypotheses of `scope`."""
    out = {}
    for model_id in models:
        rows = repository.hypotheses(evaluation_id, scope, model_id)
        utterances = [TranscribedUtterance(
            r.utterance_id, r.reference, r.hypothesis, recording_id=r.recording_id, speaker=r.speaker,
            source=r.source, audio_s=r.audio_s, processing_s=r.processing_s, nonspeech_s=r.nonspeech_s,
            nonspeech_words=r.nonspeech_words) for r in rows]
        out[model_id] = CandidateResult(model_id, score_utterances(utterances, normalizer))
    return out


def score_evaluation(repository: EvaluationRepository, evaluation_id: str, spec: EvaluationSpec,
                     primary: SplitSelection, reference: SplitSelection | None) -> dict:
    """Scores the stored hypotheses, writes the per-utterance scores, returns the result dict."""
    normalizer = Normalizer(spec.normalizer)
    asr = candidate_results(repository, evaluation_id, PRIMARY, spec.asr_candidates, normalizer)
    repository.set_scores(evaluation_id, PRIMARY, [(model_id, s.utterance_id, result_dicts.utterance_score(s))
                                                   for model_id, result in asr.items() for s in result.scores])
    diarization_rows, diarizers = [], {}
    uem = {r.id: [(0.0, r.duration_s)] for r in primary.recordings}
    for model_id in spec.diarizer_candidates:
        rows = [r for r in repository.diarization(evaluation_id, PRIMARY) if r.model_id == model_id]
        turns = {r.recording_id: r.turns for r in rows}
        scored = score_diarization(primary.reference_turns, turns,
                                   uem={k: v for k, v in uem.items() if k in primary.reference_turns})
        diarizers[model_id] = CandidateResult(model_id, (), diarization=scored)
        diarization_rows += result_dicts.diarization_rows(model_id, scored, turns,
                                                          {r.recording_id: (r.audio_s, r.processing_s) for r in rows})
    results = [*asr.values(), *diarizers.values()]
    rows = build_leaderboard(results, primary=spec.primary)
    by_id = {result.model_id: result for result in results}
    reference_results = None
    if reference is not None:
        reference_results = candidate_results(repository, evaluation_id, REFERENCE, spec.reference_models,
                                              normalizer)
    ranked = [r for r in results if r.has_metric(spec.primary) and (spec.primary == DER) == (r.diarization is not None)]
    decision = choose_winner(ranked, spec.primary, spec.gates, reference_results=reference_results) if ranked else None
    kinds = {model_id: "diarizer" if spec.is_diarizer(model_id) else "asr" for model_id in spec.candidates}
    result = {
        "leaderboard": [result_dicts.leaderboard_row(row, by_id[row.model_id], kinds[row.model_id]) for row in rows],
        "primary_metric": spec.primary, **result_dicts.decision_fields(decision),
        "slices": [row for result in asr.values() for row in result_dicts.slices(result)],
        "wrong_words": [row for result in asr.values() for row in result_dicts.wrong_words(result)],
        "diarization": diarization_rows, "notes": list(primary.notes) + _metric_notes(spec),
        "reference_leaderboard": [],
    }
    if spec.default_forgetting_gate:
        result["notes"].append(spec.default_forgetting_gate)
    if reference_results:
        reference_rows = build_leaderboard(list(reference_results.values()), primary=spec.gates.reference_metric)
        result["reference_leaderboard"] = [result_dicts.leaderboard_row(row, reference_results[row.model_id], "asr")
                                           for row in reference_rows]
        general = {row.model_id: row for row in reference_rows}
        for row in result["leaderboard"]:  # domain WER and general-speech WER side by side
            if row["model_id"] in general:
                row["reference_wer"] = general[row["model_id"]].wer
                row["reference_wer_ci"] = result_dicts.interval(general[row["model_id"]].wer_ci)
    return result


def _metric_notes(spec: EvaluationSpec) -> list[str]:
    if DER in spec.metrics and not spec.diarizer_candidates:
        return ["diarization_error_rate was asked for but no candidate produces speaker turns: add a diarizer "
                f"candidate ({', '.join(DIARIZERS)}) to score DER against the dataset's speaker turns"]
    return []
