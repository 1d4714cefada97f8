"""Pure: a continuation's tokens without the words at its start that repeat the end of the decoding it continues.

A window the decoder left or closed at its last timestamp T is decoded again from T (whisper.py, `_continuation`).
Whisper's timestamps are coarse (20 ms steps, often early at a segment's end), so the words just before T can be
heard again and written twice. Measured: a fine-tuned tiny.en closed the 30-s pyannote conversation of
../shared/realspeech/asr at 28.98 s after "... in New Jersey now.", and the continuation from there wrote
"New Jersey now." a second time (3 of its 8 extra errors over the base).
"""
from __future__ import annotations

import re

from adapt_server.engines.tokenizer import TokenizedWord, WhisperTokenizer

MIN_REPEATED_WORDS = 2  # a shorter repeat is removed only when it is the whole continuation ("now." after "now.")
_NOT_WORD = re.compile(r"[^\w']+")


def without_repeated_start(tokens: list[int], previous_text: list[int], tokenizer: WhisperTokenizer,
                           language: str) -> list[int]:
    """`tokens` (one window's generated tokens, timestamps included) without the words at their start that
    repeat the last words of `previous_text` (text token ids of the decoding they continue), compared
    case- and punctuation-blind. The repeat is removed when it covers the whole text (then no token is left)
    or at least MIN_REPEATED_WORDS words; otherwise `tokens` come back unchanged. Timestamps stay, except
    those left before the first remaining text token but the last (an emptied first segment)."""
    text = [token for token in tokens if token < tokenizer.eot]
    words = tokenizer.split_words(text, language)
    current = [key for key in map(_key, words) if key]
    previous = [key for key in map(_key, tokenizer.split_words(previous_text, language)) if key]
    repeated = _overlap(previous, current)
    if repeated == len(current):
        return []
    if repeated < MIN_REPEATED_WORDS:
        return tokens
    dropped = _tokens_of_first_words(words, repeated)
    kept: list[int] = []
    for token in tokens:
        if token < tokenizer.eot and dropped:
            dropped -= 1
            continue
        kept.append(token)
    first_text = next((index for index, token in enumerate(kept) if token < tokenizer.eot), len(kept))
    leading_stamps = [index for index in range(first_text) if kept[index] >= tokenizer.timestamp_begin]
    return [token for index, token in enumerate(kept) if index not in leading_stamps[:-1]]


def _key(word: TokenizedWord) -> str:
    return _NOT_WORD.sub("", word.text.lower())


def _overlap(previous: list[str], current: list[str]) -> int:
    """The largest k with previous[-k:] == current[:k] (0 if none)."""
    for k in range(min(len(previous), len(current)), 0, -1):
        if previous[-k:] == current[:k]:
            return k
    return 0


def _tokens_of_first_words(words: list[TokenizedWord], count: int) -> int:
    """Text tokens of the first `count` words that have letters or digits, and of the punctuation right after."""
    tokens = seen = 0
    for word in words:
        if seen == count and _key(word):
            break
        seen += bool(_key(word))
        tokens += len(word.tokens)
    return tokens
