"""Text normalization applied to references and hypotheses before they are scored.

Word error rate depends as much on the normalizer as on the model ("Mr." vs "mister", "5" vs "five",
"colour" vs "color"). Three choices, by name:

- `whisper_english` (the default): OpenAI Whisper's English normalizer, as published with the Whisper paper
  (transformers' `EnglishTextNormalizer` with openai/whisper's British-to-American spelling map, which the
  `whisper-normalizer` package ships as `normalizers/english.json`). It lowercases, removes filler words
  ("um", "uh", "hmm") and bracketed text, expands contractions and abbreviations ("Mr." -> "mister"), writes
  numbers as digits ("twenty five" -> "25"), standardizes spellings and removes punctuation. This is the
  setting under which published Whisper WERs are reported.
- `basic`: lowercase; dashes (Unicode category Pd) become spaces; every other punctuation mark and symbol
  (categories P*, S*) is deleted, so "don't" -> "dont"; whitespace collapsed. Nothing else changes.
- `none`: the text as given, with whitespace collapsed (words are the whitespace-separated tokens).

Words are the whitespace-separated tokens of the normalized text.
"""
from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from adapt_server.errors import FailedPrecondition, InvalidArgument

WHISPER_ENGLISH = "whisper_english"
BASIC = "basic"
NONE = "none"
NORMALIZER_NAMES = (WHISPER_ENGLISH, BASIC, NONE)
DEFAULT_NORMALIZER = WHISPER_ENGLISH


@dataclass(frozen=True)
class Normalizer:
    """A text normalizer chosen by name (one of `NORMALIZER_NAMES`); calling it normalizes one text."""

    name: str = DEFAULT_NORMALIZER  # "whisper_english", "basic" or "none"

    def __post_init__(self) -> None:
        if self.name not in NORMALIZER_NAMES:
            raise InvalidArgument(
                f"unknown text normalizer {self.name!r}; choose one of {', '.join(NORMALIZER_NAMES)}")

    def __call__(self, text: str) -> str:
        """The normalized text: words separated by single spaces, no leading or trailing space."""
        return " ".join(_NORMALIZERS[self.name]()(text).split())

    def words(self, text: str) -> list[str]:
        """The words of the normalized text."""
        return self(text).split()


def normalizer_by_name(name: str) -> Normalizer:
    """The normalizer called `name`; InvalidArgument listing the choices when there is none."""
    return Normalizer(name)


def basic_normalize(text: str) -> str:
    """Lowercase, dashes to spaces, other punctuation and symbols deleted, whitespace collapsed."""
    characters = []
    for character in text.lower():
        category = unicodedata.category(character)
        if category == "Pd":
            characters.append(" ")
        elif category[0] not in "PS":
            characters.append(character)
    return " ".join("".join(characters).split())


@functools.cache
def whisper_english_normalizer() -> Callable[[str], str]:
    """Whisper's English normalizer with openai's spelling map (loaded once; importing transformers takes ~1 s)."""
    try:
        import whisper_normalizer
        from transformers.models.whisper.english_normalizer import EnglishTextNormalizer
    except ImportError as error:  # both are dependencies of adapt-server: a broken install
        raise FailedPrecondition(
            f"the {WHISPER_ENGLISH!r} normalizer needs the packages transformers and whisper-normalizer "
            f"({error}); reinstall adapt-server, or choose the 'basic' normalizer") from error
    mapping_path = Path(whisper_normalizer.__file__).resolve().parent / "normalizers" / "english.json"
    spelling_map = json.loads(mapping_path.read_text(encoding="utf-8"))
    return EnglishTextNormalizer(spelling_map)


_NORMALIZERS: dict[str, Callable[[], Callable[[str], str]]] = {
    WHISPER_ENGLISH: whisper_english_normalizer,
    BASIC: lambda: basic_normalize,
    NONE: lambda: str,
}
