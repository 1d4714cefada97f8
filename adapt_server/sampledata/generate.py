"""Generate synthetic two-speaker contact-center calls and their ground truth into a folder.

Layout under `out_dir`:
    calls/<call_id>.wav             WAV in the domain's channel format (telecom: 8 kHz G.711 mu-law; see
                                    channel.py), mono, or stereo: agent left, customer right
    calls/<call_id>.json            transcript sidecar {"segments": [{"start", "end", "speaker", "text"}]}
    truth/<call_id>.rttm            speaker turns
    truth/<call_id>.entities.json   entity mentions (type, turn, character span, word indices, times)
    truth/<call_id>.words.json      every word with its character span and times

Call i of a (domain, seed, split) triple depends only on (domain, seed, split, i): generating 3 calls gives the
first 3 of generating 6, and the same arguments always give byte-identical files (on one machine; with
neural voices too: neural.py). The domains (domains/__init__.py) and the voice options can share a folder:
their call ids differ.

Voices (VOICE_OPTIONS): "espeak" (default) speaks every turn with the domain's espeak-ng pools; "neural" with
the stock TTS voices of the split's NEURAL_POOLS (Kokoro-82M packs, Piper joe: voices.py); "mixed" gives one
party of each call a neural voice and the other the espeak-ng voice it would have had, the neural party (agent
or customer) drawn per call, so a data set holds both kinds of speech, each call both. Neural turns' word times
are approximate (render.py); their turn times are exact. Neural calls cost far more CPU: Piper speaks about 10x
faster than real time here, Kokoro about real time (docs/datasets.md has the measured cost per call).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.sampledata.constants import TELEPHONE_SAMPLE_RATE
from adapt_server.sampledata.domains import DEFAULT_DOMAIN, get_domain
from adapt_server.sampledata.mulaw_wav import write_wav
from adapt_server.sampledata.render import render_call
from adapt_server.sampledata.script import AGENT, CUSTOMER, SPEAKERS, check_split, check_turn_bounds, compose_script
from adapt_server.sampledata.truth import entity_document, rttm_lines, transcript_sidecar, word_document
from adapt_server.sampledata.voices import NEURAL_POOLS, pick_call_voices, pick_partner_voice

DEFAULT_MIN_TURNS = 9  # about 50 s of audio
DEFAULT_MAX_TURNS = 12  # about 75 s of audio
ESPEAK, NEURAL, MIXED = "espeak", "neural", "mixed"
VOICE_OPTIONS = (ESPEAK, NEURAL, MIXED)
NEURAL_AGENT_SHARE = 0.5  # "mixed": share of calls whose agent (rather than customer) has the neural voice


@dataclass(frozen=True)
class CallInfo:
    """One generated call."""

    id: str  # "call_train_0001" (seed 0), "call_train_s7_0001" (seed 7), "call_train_clinic_0001" (domain clinic)
    audio_path: Path  # out_dir/calls/<id>.wav
    transcript_path: Path  # out_dir/calls/<id>.json
    duration_s: float  # seconds of audio
    speakers: tuple[str, ...]  # ("agent", "customer")
    n_turns: int
    split: str  # "train" or "holdout"
    stereo: bool  # True: agent on the left channel, customer on the right
    domain: str = DEFAULT_DOMAIN  # "telecom", "clinic", "bank" or "logistics"
    sample_rate: int = TELEPHONE_SAMPLE_RATE  # Hz of the audio file (the domain's channel)
    voices: str = ESPEAK  # the voice option it was made with: "espeak", "neural" or "mixed"


def check_voices(voices: str) -> None:
    """Raise ValueError naming the options when `voices` is not one of VOICE_OPTIONS."""
    if voices not in VOICE_OPTIONS:
        raise ValueError(f"unknown voices option {voices!r}; use one of {', '.join(VOICE_OPTIONS)}")


def call_id(split: str, seed: int, index: int, domain: str = DEFAULT_DOMAIN, voices: str = ESPEAK) -> str:
    """The id of call `index` (1-based): unique per domain, voice option, split and seed. The default domain's
    ids carry no domain name ("call_train_0001"), the others' do, after the split ("call_holdout_bank_s7_0012"),
    and so do voice options other than espeak, after the domain ("call_train_clinic_neural_0001"), so the
    holdout calls of every domain match "call_holdout_*"."""
    domain_part = "" if domain == DEFAULT_DOMAIN else f"{domain}_"
    voices_part = "" if voices == ESPEAK else f"{voices}_"
    seed_part = "" if seed == 0 else f"s{seed}_"
    return f"call_{split}_{domain_part}{voices_part}{seed_part}{index:04d}"


def is_stereo(index: int, stereo_share: float) -> bool:
    """Whether call `index` (1-based) is stereo: spreads round(n * share) stereo calls evenly over n calls."""
    return int(np.floor(index * stereo_share + 1e-9)) > int(np.floor((index - 1) * stereo_share + 1e-9))


def _call_streams(seed: int, split: str, index: int, domain: str) -> list[np.random.Generator]:
    """Independent generators for facts, script, voices, rendering and neural voices of one call (the default
    domain's entropy holds no domain, so its calls are those made before there were domains; the fifth child
    leaves the first four as they were with four)."""
    entropy = [seed, zlib.crc32(split.encode()), index]
    if domain != DEFAULT_DOMAIN:
        entropy.append(zlib.crc32(domain.encode()))
    sequence = np.random.SeedSequence(entropy)
    return [np.random.default_rng(child) for child in sequence.spawn(5)]


def _write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def generate_call(
    out_dir: Path,
    index: int,
    seed: int,
    split: str,
    stereo: bool,
    min_turns: int,
    max_turns: int,
    domain: str = DEFAULT_DOMAIN,
    voice_option: str = ESPEAK,
) -> CallInfo:
    """Generate call `index` (1-based) of (domain, seed, split) and write its audio, sidecar and ground truth."""
    world = get_domain(domain)
    facts_rng, script_rng, voice_rng, render_rng, neural_rng = _call_streams(seed, split, index, domain)
    identifier = call_id(split, seed, index, domain, voice_option)
    facts = world.draw_facts(facts_rng)
    script = compose_script(facts, script_rng, split, min_turns, max_turns, world.dialogue)
    if voice_option == NEURAL:
        agent, customer = pick_call_voices(neural_rng, split, NEURAL_POOLS)
    else:
        agent, customer = pick_call_voices(voice_rng, split, world.voices)
        if voice_option == MIXED:
            if neural_rng.random() < NEURAL_AGENT_SHARE:
                agent = pick_partner_voice(neural_rng, split, customer, NEURAL_POOLS)
            else:
                customer = pick_partner_voice(neural_rng, split, agent, NEURAL_POOLS)
    voices = {AGENT: agent, CUSTOMER: customer}
    rendered = render_call(script, voices, render_rng, stereo, world.channel)

    calls_dir, truth_dir = out_dir / "calls", out_dir / "truth"
    calls_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    audio_path, transcript_path = calls_dir / f"{identifier}.wav", calls_dir / f"{identifier}.json"
    write_wav(audio_path, rendered.channels, rendered.sample_rate, world.channel.codec)
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
        domain=domain,
        sample_rate=rendered.sample_rate,
        voices=voice_option,
    )


def generate_calls(
    out_dir: Path | str,
    n_calls: int = 6,
    seed: int = 0,
    split: str = "train",
    stereo_share: float = 0.0,
    min_turns: int = DEFAULT_MIN_TURNS,
    max_turns: int = DEFAULT_MAX_TURNS,
    domain: str = DEFAULT_DOMAIN,
    voices: str = ESPEAK,
) -> list[CallInfo]:
    """Generate `n_calls` synthetic calls of `split` ("train" or "holdout") of `domain` into `out_dir`.

    stereo_share: fraction (0-1) of the calls written as stereo (agent left, customer right), spread evenly.
    min_turns/max_turns: bounds on the turns of each call (the scripts allow 9 to 22).
    domain: "telecom" (default), "clinic", "bank" or "logistics" (domains/__init__.py): vocabulary, wording,
        voices and channel (telecom: 8 kHz mu-law; clinic and logistics: 16 kHz PCM16; bank: 8 kHz PCM16).
    voices: "espeak" (default: espeak-ng only), "neural" (every turn a stock TTS voice: Kokoro-82M packs on
        train, piper-joe and one Kokoro pack on holdout) or "mixed" (one party neural per call); see the module
        docstring. Neural turns' word times are approximate; the neural models load on first use.
    Existing files of the same call ids are overwritten. Bad arguments raise ValueError before any file is
    written.
    """
    world = get_domain(domain)
    check_split(split)
    check_voices(voices)
    if n_calls < 0:
        raise ValueError(f"n_calls must be >= 0, got {n_calls}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if not 0.0 <= stereo_share <= 1.0:
        raise ValueError(f"stereo_share is a fraction of the calls, between 0 and 1; got {stereo_share}")
    check_turn_bounds(min_turns, max_turns, world.dialogue)
    out = Path(out_dir)
    return [
        generate_call(out, index, seed, split, is_stereo(index, stereo_share), min_turns, max_turns, domain, voices)
        for index in range(1, n_calls + 1)
    ]
