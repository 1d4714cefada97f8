"""Calibrates and measures the consent check's speaker verification (CAM++ cosine) on real speakers.

Data: ../shared/realspeech (never ../shared/heldout). Speakers with several utterances: the labelled
speakers of asr/manifest.jsonl, and the AMI speakers of diar/*.rttm (single-speaker turns of at least
MIN_TURN_S seconds with no overlap, at most MAX_TURNS per speaker). Speakers with one utterance serve as
impostors only. A trial is what the consent check does: one utterance (the "statement") against the centroid
of a speaker's recordings (the "dataset"): genuine = the same speaker's other utterances, impostor = another
speaker's utterances. Prints the score distributions, the equal error rate and false accept / false reject
rates at thresholds around adapt_server.voices.speaker_check.THRESHOLD.

Run: .venv/bin/python bench/speaker_verification_bench.py [--realspeech DIR]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapt_server.audio.decode import decode_audio  # noqa: E402
from adapt_server.voices import speaker_check  # noqa: E402

MIN_TURN_S = 2.0  # seconds: shortest AMI turn used as an utterance
MAX_TURNS = 6  # utterances per AMI speaker (spread over the recordings)
MIN_UTTERANCE_S = 1.0  # seconds: shorter asr items are skipped


def default_realspeech() -> Path:
    for candidate in (REPO / ".." / "shared" / "realspeech", REPO / ".." / ".." / "shared" / "realspeech"):
        if (candidate / "asr" / "manifest.jsonl").is_file():
            return candidate.resolve()
    return (REPO / ".." / "shared" / "realspeech").resolve()


def asr_utterances(root: Path) -> dict[str, list[tuple[str, np.ndarray]]]:
    speakers: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for line in (root / "asr" / "manifest.jsonl").read_text().splitlines():
        row = json.loads(line)
        speaker = row.get("speaker")
        if not speaker or "2 speakers" in speaker or row["duration"] < MIN_UTTERANCE_S:
            continue
        speakers[f"asr:{speaker}"].append((row["id"], decode_audio(root / row["audio"]).mono))
    return speakers


def ami_turns(root: Path) -> dict[str, list[tuple[str, np.ndarray]]]:
    """Non-overlapped single-speaker turns of the AMI excerpts, per AMI speaker id."""
    turns: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    audio: dict[str, np.ndarray] = {}
    for rttm in sorted((root / "diar").glob("pyannote_ami_*.rttm")):
        segments = []
        for line in rttm.read_text().splitlines():
            fields = line.split()
            if len(fields) >= 8 and fields[0] == "SPEAKER":
                start, duration = float(fields[3]), float(fields[4])
                segments.append((start, start + duration, fields[7]))
        for start, end, speaker in segments:
            overlapped = [(max(start, s), min(end, e)) for s, e, other in segments
                          if other != speaker and s < end and e > start]
            if overlapped or end - start < MIN_TURN_S:
                continue
            turns[speaker].append((rttm.stem, start, end))
    speakers: dict[str, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for speaker, items in turns.items():
        items.sort(key=lambda item: -(item[2] - item[1]))  # longest first, then spread over recordings
        chosen, seen = [], set()
        for item in items:
            if item[0] not in seen or len(chosen) < MAX_TURNS // 2:
                chosen.append(item)
                seen.add(item[0])
            if len(chosen) == MAX_TURNS:
                break
        for stem, start, end in chosen:
            if stem not in audio:
                audio[stem] = decode_audio(root / "diar" / f"{stem}.wav").mono
            clip = audio[stem][int(start * 16000):int(min(end, start + 10.0) * 16000)]
            speakers[f"ami:{speaker}"].append((f"{stem}@{start:.1f}", clip))
    return speakers


def trials(embeddings: dict[str, list[np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    genuine, impostor = [], []
    targets = {speaker: vectors for speaker, vectors in embeddings.items() if len(vectors) >= 2}
    for speaker, vectors in targets.items():
        for index, vector in enumerate(vectors):
            rest = speaker_check.centroid([v for i, v in enumerate(vectors) if i != index])
            genuine.append(speaker_check.cosine(vector, rest))
        whole = speaker_check.centroid(vectors)
        for other, others in embeddings.items():
            if other != speaker:
                impostor += [speaker_check.cosine(vector, whole) for vector in others]
    return np.array(genuine), np.array(impostor)


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false accept rate, false reject rate) at `threshold`."""
    return float(np.mean(impostor >= threshold)), float(np.mean(genuine < threshold))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realspeech", type=Path, default=default_realspeech())
    args = parser.parse_args()
    if "heldout" in str(args.realspeech):
        sys.exit("refusing ../shared/heldout: it is for final measurement only")
    started = time.perf_counter()
    utterances = asr_utterances(args.realspeech)
    utterances.update(ami_turns(args.realspeech))
    embeddings = {speaker: [speaker_check.embed_recording(audio) for _, audio in items]
                  for speaker, items in utterances.items()}
    genuine, impostor = trials(embeddings)
    multi = [s for s, v in embeddings.items() if len(v) >= 2]
    print(f"speakers: {len(embeddings)} ({len(multi)} with >= 2 utterances), utterances: "
          f"{sum(map(len, embeddings.values()))}; trials: {genuine.size} genuine, {impostor.size} impostor; "
          f"embedding took {time.perf_counter() - started:.1f} s")
    for speaker in sorted(embeddings):
        print(f"  {speaker:32s} {len(embeddings[speaker])} utterance(s)")
    print(f"genuine  cosine: min {genuine.min():.3f}  p5 {np.percentile(genuine, 5):.3f}  "
          f"median {np.median(genuine):.3f}")
    print(f"impostor cosine: max {impostor.max():.3f}  p95 {np.percentile(impostor, 95):.3f}  "
          f"median {np.median(impostor):.3f}")
    grid = np.linspace(-0.2, 1.0, 1201)
    far_frr = np.array([rates(genuine, impostor, t) for t in grid])
    eer_index = int(np.argmin(np.abs(far_frr[:, 0] - far_frr[:, 1])))
    print(f"equal error rate ~{far_frr[eer_index].mean():.3f} at cosine {grid[eer_index]:.3f}")
    zero_far = grid[np.argmax(far_frr[:, 0] == 0.0)]
    print(f"lowest threshold with no false accept: {zero_far:.3f} (false reject there "
          f"{rates(genuine, impostor, zero_far)[1]:.3f})")
    for threshold in sorted({0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, speaker_check.THRESHOLD}):
        far, frr = rates(genuine, impostor, threshold)
        mark = "  <- THRESHOLD" if threshold == speaker_check.THRESHOLD else ""
        print(f"  threshold {threshold:.2f}: false accept {far:.4f} ({int(round(far * impostor.size))}/"
              f"{impostor.size}), false reject {frr:.4f} ({int(round(frr * genuine.size))}/{genuine.size}){mark}")


if __name__ == "__main__":
    main()
