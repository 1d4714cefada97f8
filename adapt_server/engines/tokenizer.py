"""Whisper's tokenizer: special token ids, prompts, text decoding and splitting tokens into words.

A thin wrapper over a `tokenizers.Tokenizer` read from the model directory's `tokenizer.json` (nothing is
downloaded). The special-token logic, the non-speech token list and the word splitting follow
faster-whisper's `faster_whisper/tokenizer.py` (MIT), which itself follows openai/whisper.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import tokenizers

# Languages written without spaces: their words are split at unicode boundaries instead (openai/whisper).
_UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th", "lo", "my", "yue"})


@dataclass(frozen=True)
class TokenizedWord:
    """One word of a decoded token sequence: its text (with its leading space) and token ids."""

    text: str
    tokens: tuple[int, ...]


class WhisperTokenizer:
    """Token ids and text conversion for one Whisper model.

    Thread-safe: `tokenizers.Tokenizer.encode/decode` take `&self`, and everything else is read-only.
    """

    def __init__(self, tokenizer_json: Path, multilingual: bool):
        if not tokenizer_json.is_file():
            raise FileNotFoundError(f"{tokenizer_json} is missing: a Whisper model directory needs tokenizer.json")
        self.tokenizer = tokenizers.Tokenizer.from_file(str(tokenizer_json))
        self.multilingual = multilingual
        for name in ("<|endoftext|>", "<|startoftranscript|>", "<|notimestamps|>"):
            if self.tokenizer.token_to_id(name) is None:
                raise ValueError(f"{tokenizer_json} has no {name} token: it is not a Whisper tokenizer")

    def _id(self, token: str) -> int | None:
        return self.tokenizer.token_to_id(token)

    @cached_property
    def eot(self) -> int:
        return self._id("<|endoftext|>")

    @cached_property
    def sot(self) -> int:
        return self._id("<|startoftranscript|>")

    @cached_property
    def sot_prev(self) -> int:
        return self._id("<|startofprev|>")

    @cached_property
    def sot_lm(self) -> int:
        return self._id("<|startoflm|>")

    @cached_property
    def transcribe(self) -> int:
        return self._id("<|transcribe|>")

    @cached_property
    def translate(self) -> int:
        return self._id("<|translate|>")

    @cached_property
    def no_timestamps(self) -> int:
        return self._id("<|notimestamps|>")

    @cached_property
    def no_speech(self) -> int | None:
        return self._id("<|nospeech|>") or self._id("<|nocaptions|>")

    @property
    def timestamp_begin(self) -> int:
        """Id of <|0.00|>; timestamp token t means (t - timestamp_begin) * TIME_PRECISION_S seconds
        (adapt_kernels.whisper_constants)."""
        return self.no_timestamps + 1

    def language_token(self, language: str) -> int | None:
        """Id of <|language|> (e.g. "en"), or None when this vocabulary has no such language."""
        return self._id(f"<|{language}|>") if self.multilingual else None

    def sot_sequence(self, language: str | None) -> list[int]:
        """<|startoftranscript|>, plus <|language|><|transcribe|> on multilingual models only."""
        if not self.multilingual:
            return [self.sot]
        language_token = self.language_token(language or "en")
        if language_token is None:
            raise ValueError(f"language {language!r} has no token in this model's vocabulary")
        return [self.sot, language_token, self.transcribe]

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False).ids

    def decode(self, tokens: list[int]) -> str:
        """Text of the text tokens (special and timestamp tokens are skipped)."""
        return self.tokenizer.decode([token for token in tokens if token < self.eot])

    @cached_property
    def non_speech_tokens(self) -> tuple[int, ...]:
        """Tokens of speaker tags and non-speech annotations ("♪♪♪", "( SPEAKING FOREIGN LANGUAGE )", "[DAVID]")
        to suppress, keeping basic punctuation (openai/whisper's list, via faster-whisper)."""
        symbols = list('"#()*+/:;<=>@[\\]^_`{|}~「」『』')
        symbols += ["<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", '("', "((", "))", "(((", ")))", "[[",
                    "]]", "{{", "}}", "♪♪", "♪♪♪"]
        miscellaneous = set("♩♪♫♬♭♮♯")  # U+2640..U+267F: multi-token symbols sharing their first token
        result = {self.encode(" -")[0], self.encode(" '")[0]}  # hyphen/quote only inside words
        for symbol in symbols + sorted(miscellaneous):
            for tokens in (self.encode(symbol), self.encode(" " + symbol)):
                if len(tokens) == 1 or symbol in miscellaneous:
                    result.add(tokens[0])
        return tuple(sorted(result))

    def suppressed_tokens(self, requested: tuple[int, ...]) -> list[int]:
        """The ids `generate` must never produce: `requested` (-1 stands for the non-speech tokens) plus the
        task/start/no-speech specials, as faster-whisper's `get_suppressed_tokens`."""
        tokens = {token for token in requested if token >= 0}
        if -1 in requested:
            tokens.update(self.non_speech_tokens)
        specials = (self.transcribe, self.translate, self.sot, self.sot_prev, self.sot_lm, self.no_speech)
        tokens.update(token for token in specials if token is not None)
        return sorted(tokens)

    def split_words(self, tokens: list[int], language: str | None = "en") -> list[TokenizedWord]:
        """Groups text tokens into words: a new word starts at a token beginning with a space or at a
        punctuation mark; for languages written without spaces (zh, ja, th, ...), at each complete
        unicode character run."""
        subwords = self._split_on_unicode(tokens)
        if language in _UNSPACED_LANGUAGES:
            return subwords
        return self._merge_on_spaces(subwords)

    def _split_on_unicode(self, tokens: list[int]) -> list[TokenizedWord]:
        """Splits where the decoded prefix is valid unicode (a multi-byte character may span tokens)."""
        full = self.tokenizer.decode(tokens)
        replacement = "\ufffd"
        words: list[TokenizedWord] = []
        current: list[int] = []
        offset = 0
        for token in tokens:
            current.append(token)
            decoded = self.tokenizer.decode(current)
            index = decoded.find(replacement)
            if index < 0 or (offset + index < len(full) and full[offset + index] == replacement):
                words.append(TokenizedWord(decoded, tuple(current)))
                current = []
                offset += len(decoded)
        return words

    @staticmethod
    def _merge_on_spaces(subwords: list[TokenizedWord]) -> list[TokenizedWord]:
        words: list[TokenizedWord] = []
        for subword in subwords:
            starts_word = subword.text.startswith(" ") or subword.text.strip() in string.punctuation
            if starts_word or not words:
                words.append(subword)
            else:
                last = words[-1]
                words[-1] = TokenizedWord(last.text + subword.text, last.tokens + subword.tokens)
        return words
