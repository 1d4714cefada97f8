"""The stock voices (ids, what they are) and how to load any voice: stock by id, custom from a style pack.

Models load once per process (the Kokoro graph is 92 MB, Piper's 63 MB; loading verifies their hashes) and
are shared by every voice of that engine.
"""
from __future__ import annotations

import threading

from adapt_kernels.threads import ThreadBudget
from adapt_server.errors import NotFound
from adapt_server.tts import kokoro, piper
from adapt_server.tts.synthesizer import Synthesizer, VoiceInfo

# Kokoro style packs in voices_ja.npz -> description. All five speak English intelligibly to whisper tiny.en
# (docs/voices.md has the measured WER of each); they keep a light Japanese accent.
KOKORO_VOICES = {
    "jf_alpha": "Kokoro-82M, female (style pack jf_alpha), US English phonemes",
    "jf_gongitsune": "Kokoro-82M, female (style pack jf_gongitsune), US English phonemes",
    "jf_nezumi": "Kokoro-82M, female (style pack jf_nezumi), US English phonemes",
    "jf_tebukuro": "Kokoro-82M, female (style pack jf_tebukuro), US English phonemes",
    "jm_kumo": "Kokoro-82M, male (style pack jm_kumo), US English phonemes",
}
KOKORO_PREFIX = "kokoro-"
PIPER_JOE = "piper-joe"
DEFAULT_VOICE = "kokoro-jm_kumo"

STOCK_VOICES: tuple[VoiceInfo, ...] = tuple(
    kokoro.kokoro_info(KOKORO_PREFIX + name, description) for name, description in KOKORO_VOICES.items()
) + (VoiceInfo(voice_id=PIPER_JOE, engine="piper", sample_rate=22050, language="en-us",
               description="Piper VITS en_US-joe-medium, male, US English", weights=piper.REQUIREMENT,
               license=piper.LICENSE),)

_lock = threading.Lock()
_kokoro: dict[ThreadBudget | None, kokoro.KokoroModel] = {}
_piper: dict[ThreadBudget | None, piper.PiperModel] = {}


def stock_voice_ids() -> list[str]:
    return [info.voice_id for info in STOCK_VOICES]


def stock_info(voice_id: str) -> VoiceInfo:
    for info in STOCK_VOICES:
        if info.voice_id == voice_id:
            return info
    raise NotFound(f"unknown voice {voice_id!r}: the stock voices are {', '.join(stock_voice_ids())} "
                   "(custom voices have the ids their build returned)")


def kokoro_model(threads: ThreadBudget | None = None) -> kokoro.KokoroModel:
    """The process's Kokoro model for this thread budget (loaded and verified on first use)."""
    with _lock:
        if threads not in _kokoro:
            _kokoro[threads] = kokoro.KokoroModel(threads)
        return _kokoro[threads]


def piper_model(threads: ThreadBudget | None = None) -> piper.PiperModel:
    with _lock:
        if threads not in _piper:
            _piper[threads] = piper.PiperModel(threads)
        return _piper[threads]


def stock_pack(voice_id: str, threads: ThreadBudget | None = None) -> kokoro.StylePack:
    """The style pack of a stock Kokoro voice (the starting point of custom voices)."""
    info = stock_info(voice_id)
    if info.engine != "kokoro":
        raise NotFound(f"voice {voice_id!r} is not a Kokoro voice: style packs exist for "
                       f"{', '.join(KOKORO_PREFIX + name for name in KOKORO_VOICES)}")
    return kokoro_model(threads).packs[voice_id.removeprefix(KOKORO_PREFIX)]


def load_stock_voice(voice_id: str, threads: ThreadBudget | None = None) -> Synthesizer:
    """A synthesizer of the stock voice `voice_id` (NotFound for an unknown id)."""
    info = stock_info(voice_id)
    if info.engine == "piper":
        return piper.PiperSynthesizer(piper_model(threads), info)
    return kokoro.KokoroSynthesizer(kokoro_model(threads), stock_pack(voice_id, threads), info)


def load_custom_voice(voice_id: str, pack: kokoro.StylePack, description: str = "custom Kokoro voice",
                      threads: ThreadBudget | None = None) -> Synthesizer:
    """A synthesizer of a custom Kokoro voice: the shared model with the voice's own style pack."""
    return kokoro.KokoroSynthesizer(kokoro_model(threads), pack, kokoro.kokoro_info(voice_id, description))
