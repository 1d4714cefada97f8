"""Text -> IPA phonemes with espeak-ng (the libespeak-ng and data bundled by the `espeakng-loader` wheel).

Both stock models were trained on espeak-ng's IPA: Piper directly, Kokoro on misaki's phoneme set, which is
espeak-ng IPA with a few diphthongs and affricates folded into single symbols (see kokoro.py).

`espeak_TextToPhonemes` returns one clause per call and drops the punctuation that ended it; the models need
that punctuation (it shapes pauses and intonation), so the text is cut at clause punctuation here, each
piece phonemized, and the punctuation put back. libespeak-ng keeps global state: one process-wide copy is
loaded once (a different path from sampledata/espeak.py's private copies, so the two never share statics)
and a lock serializes calls.
"""
from __future__ import annotations

import ctypes
import os
import re
import threading
from pathlib import Path

from adapt_server.errors import FailedPrecondition, InvalidArgument
from adapt_server.tts.text import ends_with_abbreviation

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # return an error instead of calling exit() when the data is missing
_CHARS_UTF8 = 1
_PHONEMES_IPA = 0x02  # espeak_TextToPhonemes phonememode bit 1: IPA as UTF-8
_PHONEMES_TIE = 0x80  # bit 7: join the letters of multi-letter phonemes with the character in bits 8-23

# Clause punctuation that follows a word (then whitespace or the end); runs like "?!" or "..." count as one.
_CLAUSE_PUNCTUATION = re.compile(r"([.,;:!?…]+)[\"'”’)\]]*(?=\s|$)")
_LANGUAGE_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")  # espeak-ng's "(fr)" marks on foreign words


class _Espeak:
    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as error:
            raise FailedPrecondition("phonemization needs the espeakng-loader package: "
                                     "`pip install espeakng-loader`") from error
        self.library_path = Path(espeakng_loader.get_library_path())
        self.data_path = Path(espeakng_loader.get_data_path())
        if not self.library_path.is_file() or not (self.data_path / "phontab").is_file():
            raise FailedPrecondition(f"libespeak-ng or its data is missing under {self.library_path.parent}: "
                                     "reinstall `pip install --force-reinstall espeakng-loader`")
        lib = ctypes.CDLL(str(self.library_path), mode=os.RTLD_LOCAL)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        if lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data_path).encode(),
                                 _INITIALIZE_DONT_EXIT) <= 0:
            raise FailedPrecondition(f"libespeak-ng failed to initialize with the data in {self.data_path}: "
                                     "reinstall `pip install --force-reinstall espeakng-loader`")
        self.lib = lib
        self.language: str | None = None

    def clauses(self, text: str, language: str, mode: int) -> list[str]:
        if language != self.language:
            if self.lib.espeak_SetVoiceByName(language.encode()) != 0:
                raise InvalidArgument(f"espeak-ng has no language {language!r}: use e.g. 'en-us' or 'en-gb'")
            self.language = language
        buffer = ctypes.create_string_buffer(text.encode("utf-8") + b"\0")
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        out: list[str] = []
        while pointer.value:
            phonemes = self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, mode)
            if phonemes:
                out.append(phonemes.decode("utf-8", errors="replace").strip())
        return [clause for clause in out if clause]


_lock = threading.Lock()
_espeak: _Espeak | None = None


def _reset_lock_after_fork() -> None:
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_after_fork)


def phonemize(text: str, language: str = "en-us", tie: str = "") -> str:
    """IPA phonemes of `text` with primary/secondary stress marks, words separated by spaces and clause
    punctuation (. , ; : ! ? …) kept where the text had it, each followed by a space ("həlˈoʊ wˈɜːld, ...").

    tie: "" (none) or one character joining the letters of multi-letter phonemes ("d^ʒ" with tie "^"), which
    tells a diphthong or affricate from two phonemes in a row (kokoro.py folds them into single symbols).
    """
    mode = _PHONEMES_IPA | ((_PHONEMES_TIE | (ord(tie) << 8)) if tie else 0)
    global _espeak
    out: list[str] = []
    with _lock:
        if _espeak is None:
            _espeak = _Espeak()
        for words, mark in _clauses(text):
            phonemes = _LANGUAGE_SWITCH.sub("", " ".join(_espeak.clauses(words, language, mode))).strip()
            if phonemes:
                out.append(phonemes)
            if mark and out:
                out[-1] += mark
    return " ".join(out)


def _clauses(text: str) -> list[tuple[str, str]]:
    """(words, punctuation mark or "") pieces of `text`, cut after clause punctuation (not after "Dr.")."""
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _CLAUSE_PUNCTUATION.finditer(text):
        if match.group(1) == "." and ends_with_abbreviation(text[start:match.start()]):
            continue
        pieces.append((text[start:match.start()].strip(), _punctuation_mark(match.group(1))))
        start = match.end()
    pieces.append((text[start:].strip(), ""))
    return [(words, mark) for words, mark in pieces if words or mark]


def _punctuation_mark(run: str) -> str:
    """One mark for a run of clause punctuation: '?!' -> '?', '...' -> '…'."""
    if "?" in run:
        return "?"
    if "!" in run:
        return "!"
    if run.startswith("..") or "…" in run:
        return "…"
    return run[0]
