"""Generate synthetic two-speaker contact-center calls and their ground truth into a folder.

Layout under `out_dir`:
    calls/<call_id>.wav             8 kHz G.711 mu-law WAV (mono, or stereo: agent left, customer right)
    calls/<call_id>.json            transcript sidecar {"segments": [{"start", "end", "speaker", "text"}]}
    truth/<call_id>.rttm            speaker turns
    truth/<call_id>.entities.json   entity mentions (type, turn, character span, word indices, times)
    truth/<call_id>.words.json      every word with its character span and times

Call i of a (seed, split) pair depends only on (seed, split, i): generating 3 calls gives the first 3 of
generating 6, and the same arguments always give byte-identical files.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.sampledata.constants import TELEPHONE_SAMPLE_RATE
from adapt_server.sampledata.facts import draw_call_facts
from adapt_server.sampledata.mulaw_wav import write_mulaw_wav
from adapt_server.sampledata.render import render_call
from adapt_server.sampledata.script import AGENT, CUSTOMER, SPEAKERS, check_split, compose_script
from adapt_server.sampledata.truth import entity_document, rttm_lines, transcript_sidecar, word_document
from adapt_server.sampledata.voices import pick_call_voices

DEFAULT_MIN_TURNS = 9  # about 50 s of audio
DEFAULT_MAX_TURNS = 12  # about 75 s of audio


@dataclass(frozen=True)
class CallInfo:
    """One generated call."""

    id: str  # "call_train_0001" (seed 0) or "call_train_s7_0001" (seed 7)
    audio_path: Path  # out_dir/calls/<id>.wav
    transcript_path: Path  # out_dir/calls/<id>.json
    duration_s: float  # seconds of audio
    speakers: tuple[str, ...]  # ("agent", "customer")
    n_turns: int
    split: str  # "train" or "holdout"
    stereo: bool  # True: agent on the left channel, customer on the right


def call_id(split: str, seed: int, index: int) -> str:
    """The id of call `index` (1-based): unique per split and seed."""
    seed_part = "" if seed == 0 else f"s{seed}_"
    return f"call_{split}_{seed_part}{index:04d}"


def is_stereo(index: int, stereo_share: float) -> bool:
    """Whether call `index` (1-based) is stereo: spreads round(n * share) stereo calls evenly over n calls."""
    return int(np.floor(index * stereo_share + 1e-9)) > int(np.floor((index - 1) * stereo_share + 1e-9))


def _call_streams(seed: int, split: str, index: int) -> list[np.random.Generator]:
    """Independent generators for facts, script, voices and rendering of one call."""
    sequence = np.random.SeedSequence([seed, zlib.crc32(split.encode()), index])
    return [np.random.default_rng(child) for child in sequence.spawn(4)]


def _write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate_call(
    out_dir: Path, index: int, seed: int, split: str, stereo: bool, min_turns: int, max_turns: int
) -> CallInfo:
    """Generate call `index` (1-based) of (seed, split) and write its audio, sidecar and ground truth."""
    facts_rng, script_rng, voice_rng, render_rng = _call_streams(seed, split, index)
    identifier = call_id(split, seed, index)
    facts = draw_call_facts(facts_rng)
    script = compose_script(facts, script_rng, split, min_turns, max_turns)
    agent, customer = pick_call_voices(voice_rng, split)
    voices = {AGENT: agent, CUSTOMER: customer}
    rendered = render_call(script, voices, render_rng, stereo)

    calls_dir, truth_dir = out_dir / "calls", out_dir / "truth"
    calls_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    audio_path, transcript_path = calls_dir / f"{identifier}.wav", calls_dir / f"{identifier}.json"
    write_mulaw_wav(audio_path, rendered.channels, TELEPHONE_SAMPLE_RATE)
    _write_json(transcript_path, transcript_sidecar(rendered, voices))
    (truth_dir / f"{identifier}.rttm").write_text(rttm_lines(identifier, rendered, voices), encoding="utf-8")
    _write_json(truth_dir / f"{identifier}.entities.json", entity_document(identifier, script, rendered))
    _write_json(truth_dir / f"{identifier}.words.json", word_document(identifier, script, rendered, voices))
    return CallInfo(
        id=identifier,
        audio_path=audio_path,
        transcript_path=transcript_path,
        duration_s=rendered.duration_s,
        speakers=SPEAKERS,
        n_turns=len(rendered.turns),
        split=split,
        stereo=stereo,
    )


def generate_calls(
    out_dir: Path | str,
    n_calls: int = 6,
    seed: int = 0,
    split: str = "train",
    stereo_share: float = 0.0,
    min_turns: int = DEFAULT_MIN_TURNS,
    max_turns: int = DEFAULT_MAX_TURNS,
) -> list[CallInfo]:
    """Generate `n_calls` synthetic calls of `split` ("train" or "holdout") into `out_dir`.

    stereo_share: fraction (0-1) of the calls written as stereo (agent left, customer right), spread evenly.
    min_turns/max_turns: bounds on the turns of each call (the scripts allow 9 to 22).
    Existing files of the same call ids are overwritten.
    """
    check_split(split)
    if n_calls < 0:
        raise ValueError(f"n_calls must be >= 0, got {n_calls}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if not 0.0 <= stereo_share <= 1.0:
        raise ValueError(f"stereo_share is a fraction of the calls, between 0 and 1; got {stereo_share}")
    out = Path(out_dir)
    return [
        generate_call(out, index, seed, split, is_stereo(index, stereo_share), min_turns, max_turns)
        for index in range(1, n_calls + 1)
    ]
