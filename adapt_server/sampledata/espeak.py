"""Deterministic speech synthesis with libespeak-ng (the copy bundled by the `espeakng-loader` wheel).

libespeak-ng keeps its synthesis state in process-global statics (the pitch-flutter phase, the
automatic gain, the echo buffer...) that no API call resets, so two identical requests in one process
normally give slightly different audio. To make every request byte-reproducible, each synthesis loads a
private copy of the shared library, synthesizes, terminates and unloads it again: the next load starts
from pristine statics. A load costs well under a millisecond. The random generators espeak-ng uses for
breath noise (its own and libc's `rand`) are seeded per request. A module lock serializes requests,
which also makes the wrapper safe to call from several threads.
"""

from __future__ import annotations

import _ctypes
import atexit
import ctypes
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapt_server.sampledata.constants import TTS_SAMPLE_RATE

# espeak_AUDIO_OUTPUT, espeak_EVENT_TYPE, espeak_POSITION_TYPE and espeak_PARAMETER values (speak_lib.h)
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_PARAM_VOLUME = 2
_PARAM_PITCH = 3
_PARAM_RANGE = 4
_PARAM_WORDGAP = 7


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    """espeak_EVENT of speak_lib.h (API revision 12)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based character position in the text
        ("length", ctypes.c_int),  # word length in characters
        ("audio_position", ctypes.c_int),  # milliseconds from the start of this synthesis
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class EspeakVoice:
    """How espeak-ng speaks: a voice name and the prosody parameters set before each synthesis."""

    name: str  # espeak-ng voice, optionally with a variant: "en-us", "en-us+f3", "en-gb-x-rp+m2"
    rate_wpm: int = 165  # speaking rate, words per minute (espeak-ng accepts 80-450)
    pitch: int = 50  # base pitch, 0-99 (50 = the voice's default)
    pitch_range: int = 50  # pitch variation, 0-99 (0 = monotone, 50 = normal)
    word_gap_10ms: int = 0  # extra pause between words, units of 10 ms at the default rate
    volume: int = 100  # amplitude, 0-200 (100 = normal)


@dataclass(frozen=True)
class WordMark:
    """Where espeak-ng starts speaking one word of the text (one espeakEVENT_WORD)."""

    char_start: int  # 0-based character offset of the word in the synthesized text
    char_length: int  # characters espeak-ng counts in the word
    sample: int  # sample index (at the clip's sample rate) where espeak-ng starts the word


@dataclass(frozen=True, eq=False)
class SpeechClip:
    """One synthesized utterance."""

    samples: np.ndarray  # (n_samples,) int16 PCM, mono
    sample_rate: int  # Hz
    word_marks: tuple[WordMark, ...]  # in text order; espeak-ng may split one written word into several


class _PrivateLibrary:
    """A copy of libespeak-ng at a path nobody else loads, so unloading it really discards its statics."""

    def __init__(self) -> None:
        import espeakng_loader

        self.source_path = Path(espeakng_loader.get_library_path())
        self.data_path = Path(espeakng_loader.get_data_path())
        if not self.source_path.is_file():
            raise FileNotFoundError(
                f"libespeak-ng not found at {self.source_path}; reinstall the `espeakng-loader` wheel"
            )
        if not (self.data_path / "phontab").is_file():
            raise FileNotFoundError(
                f"espeak-ng data not found under {self.data_path}; reinstall the `espeakng-loader` wheel"
            )
        self._directory = Path(tempfile.mkdtemp(prefix="adapt-espeak-"))
        self._owner_pid = os.getpid()
        self.path = self._directory / self.source_path.name
        atexit.register(self._remove)
        self.libc = ctypes.CDLL(None)

    def _remove(self) -> None:
        if os.getpid() == self._owner_pid:  # a forked child leaves its parent's copy alone
            shutil.rmtree(self._directory, ignore_errors=True)

    def load(self) -> ctypes.CDLL:
        if not self.path.is_file():  # first use, or something cleaned the temporary folder
            self._directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.source_path, self.path)
        lib = ctypes.CDLL(str(self.path), mode=os.RTLD_LOCAL)
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Terminate.restype = ctypes.c_int
        return lib

    @staticmethod
    def unload(lib: ctypes.CDLL) -> None:
        lib.espeak_Terminate()
        _ctypes.dlclose(lib._handle)


_lock = threading.Lock()
_library: _PrivateLibrary | None = None


def _reset_lock_after_fork() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it at the fork; the child has no such thread


os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _private_library() -> _PrivateLibrary:
    global _library
    if _library is None:
        _library = _PrivateLibrary()
    return _library


def synthesize(text: str, voice: EspeakVoice, seed: int = 0) -> SpeechClip:
    """Speak `text` with `voice`; the same (text, voice, seed) always gives the same clip, byte for byte.

    Returns int16 samples at TTS_SAMPLE_RATE (22050 Hz) with the start sample of every word espeak-ng
    reports. Raises ValueError for an empty text or a voice name espeak-ng does not know.
    """
    if not text.strip():
        raise ValueError("synthesize() needs a non-empty text")
    encoded = text.encode("utf-8") + b"\0"
    chunks: list[np.ndarray] = []
    marks: list[WordMark] = []

    def collect(wav, n_samples, events):  # called by espeak-ng for each buffer of audio
        if wav and n_samples > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                sample = round(event.audio_position * TTS_SAMPLE_RATE / 1000)
                marks.append(WordMark(event.text_position - 1, event.length, sample))
            index += 1
        return 0

    callback = _SynthCallback(collect)
    with _lock:
        library = _private_library()
        lib = library.load()
        try:
            sample_rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(library.data_path).encode(), 0)
            if sample_rate != TTS_SAMPLE_RATE:
                raise RuntimeError(
                    f"libespeak-ng at {library.source_path} initialized at {sample_rate} Hz, "
                    f"expected {TTS_SAMPLE_RATE} Hz (data: {library.data_path})"
                )
            lib.espeak_SetSynthCallback(callback)
            if lib.espeak_SetVoiceByName(voice.name.encode()) != 0:
                raise ValueError(
                    f"espeak-ng has no voice {voice.name!r}; see {library.data_path / 'lang'} and "
                    f"{library.data_path / 'voices' / '!v'} for names and variants"
                )
            for parameter, value in (
                (_PARAM_RATE, voice.rate_wpm),
                (_PARAM_PITCH, voice.pitch),
                (_PARAM_RANGE, voice.pitch_range),
                (_PARAM_WORDGAP, voice.word_gap_10ms),
                (_PARAM_VOLUME, voice.volume),
            ):
                lib.espeak_SetParameter(parameter, value, 0)
            lib.espeak_ng_SetRandSeed(seed & 0x7FFFFFFF)
            library.libc.srand(ctypes.c_uint(seed & 0xFFFFFFFF))
            status = lib.espeak_Synth(encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            if status != 0:
                raise RuntimeError(f"espeak_Synth failed with status {status} for text {text[:60]!r}")
        finally:
            library.unload(lib)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    return SpeechClip(samples=samples.astype(np.int16, copy=False), sample_rate=TTS_SAMPLE_RATE,
                      word_marks=tuple(marks))
