"""Malformed audio for fuzzing the decoders, and a harness that runs each case in a child process under a
wall-clock bound, so that a hang is a reported failure (with the input) rather than a stuck test run.

The targets are the three ways audio enters the server: `decode_audio` (files, unary Transcribe),
`Linear16Stream.push/finish` (LINEAR16 streams and unary LINEAR16) and `EncodedStream` (encoded streams).
The contract under test: the only exception any of them lets out is `AudioDecodeError`.

Inputs: small valid files made here with PyAV encoders (wav PCM16 / mu-law / stereo / IMA ADPCM, mp3,
ogg opus, flac, adts aac), then mutated: WAV/RIFF header fields set to edge values, truncation at every
offset, byte flips and overwrites inside codec frames, inserted and deleted runs, damaged chunk structure,
random bytes behind a real magic number. Used by tests/server/audio/test_decoders_fuzz.py (fixed seed,
bounded count) and bench/fuzz_bench.py (long run).
"""
from __future__ import annotations

import multiprocessing
import os
import struct
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

TARGETS = ("decode_audio", "decode_audio_lenient", "linear16", "encoded")
HARNESS_TARGETS = ("harness:hang", "harness:die")  # the harness's own checks: a case that never answers, one that
# kills its process

# Values that break parsers: zero, one, signed/unsigned limits, and a few that overflow when multiplied.
EDGE_U16 = (0, 1, 2, 3, 7, 8, 15, 17, 24, 32, 64, 255, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF)
EDGE_U32 = (0, 1, 2, 8, 16, 17, 44, 8000, 16000, 48000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
            0xFFFFFFF8, 0xFFFFFFFF)
# (offset, struct format) of each field of the canonical 44-byte PCM WAV header
WAV_FIELDS = {
    "riff_size": (4, "<I"), "fmt_size": (16, "<I"), "format_tag": (20, "<H"), "channels": (22, "<H"),
    "sample_rate": (24, "<I"), "byte_rate": (28, "<I"), "block_align": (32, "<H"), "bits": (34, "<H"),
    "data_size": (40, "<I"),
}


@dataclass(frozen=True)
class Case:
    """One fuzz input: `data` fed to `target`, in messages of `piece` bytes for the streaming targets."""

    label: str  # how it was made, for failure messages
    target: str  # one of TARGETS
    data: bytes
    piece: int = 4096  # message size for the streaming targets
    sample_rate: int = 16000  # declared rate for linear16 (and encoded when `declare_rate`)
    channels: int = 1  # declared channels for linear16
    declare_rate: bool = False  # encoded: pass sample_rate as the declared rate


@dataclass(frozen=True)
class Outcome:
    """What a case did: "ok", "decode_error" (AudioDecodeError), "crash" (any other exception, with its
    traceback), "hang" (over the time bound), or "died" (the child process died, e.g. a segfault)."""

    kind: str
    error_type: str = ""
    message: str = ""
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------------ seed files


@lru_cache(maxsize=None)
def seed_files() -> dict[str, bytes]:
    """Small valid files (0.25 s of a tone with noise), by name."""
    from adapt_server.audio.encode import encode_audio

    def signal(rate: int, channels: int = 1) -> np.ndarray:
        t = np.arange(rate // 4) / rate
        mono = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.01 * np.random.default_rng(0).standard_normal(t.size)
        return np.stack([mono] * channels).astype(np.float32) if channels > 1 else mono.astype(np.float32)

    return {
        "wav_pcm16_16k": encode_audio(signal(16000), 16000, container="wav", codec="pcm_s16le"),
        "wav_pcm16_8k_stereo": encode_audio(signal(8000, 2), 8000, container="wav", codec="pcm_s16le"),
        "wav_mulaw_8k": encode_audio(signal(8000), 8000, container="wav", codec="pcm_mulaw"),
        "mp3": encode_audio(signal(16000), 16000, container="mp3", codec="libmp3lame"),
        "ogg_opus": encode_audio(signal(16000), 16000, container="ogg", codec="libopus", codec_sample_rate=48000),
        "wav_adpcm_ima": encode_audio(signal(16000), 16000, container="wav", codec="adpcm_ima_wav"),
        "flac": encode_audio(signal(16000), 16000, container="flac", codec="flac"),
        "adts_aac": encode_audio(signal(16000), 16000, container="adts", codec="aac"),
    }


def small_wav() -> bytes:
    """A 20 ms mono PCM16 wav with the canonical 44-byte header (684 bytes), small enough to cut anywhere."""
    from adapt_server.audio.wav import encode_pcm16_wav
    t = np.arange(320) / 16000
    return encode_pcm16_wav((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)


# ------------------------------------------------------------------------------------------------ enumerations


def wav_field_mutations(wav: bytes) -> Iterator[tuple[str, bytes]]:
    """Every field of the canonical 44-byte header set to every edge value (the header must be canonical)."""
    assert wav[:4] == b"RIFF" and wav[12:16] == b"fmt " and wav[36:40] == b"data", "not a canonical 44-byte wav"
    for name, (offset, fmt) in WAV_FIELDS.items():
        for value in EDGE_U16 if fmt == "<H" else EDGE_U32:
            mutated = bytearray(wav)
            struct.pack_into(fmt, mutated, offset, value)
            yield f"{name}={value:#x}", bytes(mutated)


def truncations(data: bytes, stride: int = 1) -> Iterator[tuple[str, bytes]]:
    """`data` cut at every `stride`-th offset (always including 1 .. 64, the header bytes)."""
    offsets = sorted(set(range(1, min(65, len(data)))) | set(range(1, len(data), stride)))
    for end in offsets:
        yield f"cut@{end}", data[:end]


def chunk_structure_mutations(wav: bytes) -> Iterator[tuple[str, bytes]]:
    """RIFF chunk-level damage: extra, duplicated, reordered, oversized and odd-sized chunks."""
    preamble, fmt_chunk, data_chunk = wav[:12], wav[12:36], wav[36:]
    junk = lambda size: b"JUNK" + struct.pack("<I", size) + b"\0" * min(size, 64)  # noqa: E731
    yield "junk_before_fmt", preamble + junk(4) + fmt_chunk + data_chunk
    yield "odd_junk", preamble + junk(3) + fmt_chunk + data_chunk
    yield "junk_claims_4g", preamble + junk(0xFFFFFFFF) + fmt_chunk + data_chunk
    yield "many_junk", preamble + b"JUNK\0\0\0\0" * 5000 + fmt_chunk + data_chunk
    yield "data_before_fmt", preamble + data_chunk + fmt_chunk
    yield "two_fmt", preamble + fmt_chunk + fmt_chunk[:8] + struct.pack("<HHIIHH", 1, 2, 8000, 32000, 4, 16) + data_chunk
    yield "no_fmt", preamble + data_chunk
    yield "no_data", preamble + fmt_chunk
    yield "fmt_header_ends", preamble + junk(16)[:24] + b"fmt " + struct.pack("<I", 16)
    yield "fmt_size_huge", preamble + b"fmt " + struct.pack("<I", 0x7FFFFFFF) + fmt_chunk[8:] + data_chunk
    yield "fmt_size_4", preamble + b"fmt " + struct.pack("<I", 4) + fmt_chunk[8:12] + data_chunk
    yield "not_wave", b"RIFF" + wav[4:8] + b"AVI " + wav[12:]
    yield "rf64", b"RF64" + wav[4:]
    yield "list_chunk", preamble + fmt_chunk + b"LIST" + struct.pack("<I", 12) + b"INFOISFT\0\0\0\0" + data_chunk


def random_inputs(rng: np.random.Generator, count: int) -> Iterator[tuple[str, bytes]]:
    """Random bytes, bare and behind real magic numbers (so the demuxer gets past probing)."""
    magics = [b"", b"RIFF\x24\x08\0\0WAVEfmt ", b"ID3\x04\0\0\0\0\0\0", b"\xff\xfb\x90\x64", b"OggS\0\x02",
              b"fLaC\0\0\0\x22", b"\xff\xf1\x50\x80", b"NIST_1A\n   1024\n", b".snd", b"FORM\0\0\0\0AIFF"]
    for i in range(count):
        magic = magics[i % len(magics)]
        body = rng.integers(0, 256, int(rng.integers(0, 4096)), dtype=np.uint8).tobytes()
        yield f"random#{i}:{magic[:4]!r}", magic + body


EDIT_KINDS = ("flip", "set", "overwrite", "insert", "delete", "dup")


@dataclass(frozen=True)
class Edit:
    """One byte-level edit; `position` is taken modulo the length of the data it applies to."""

    kind: str  # one of EDIT_KINDS
    position: int
    amount: int = 1  # flip: the bit (0-7); delete, dup: how many bytes
    payload: bytes = b""  # set: its first byte; overwrite, insert: the bytes

    def __str__(self) -> str:
        return f"{self.kind}@{self.position}:{self.amount or ''}{self.payload[:8].hex()}"


def apply_edits(data: bytes, edits) -> bytes:
    """`data` with each Edit applied in order."""
    out = bytearray(data)
    for edit in edits:
        if not out:
            break
        at = edit.position % len(out)
        if edit.kind == "flip":
            out[at] ^= 1 << (edit.amount % 8)
        elif edit.kind == "set":
            out[at] = edit.payload[0] if edit.payload else 0
        elif edit.kind == "overwrite":
            out[at:at + len(edit.payload)] = edit.payload
        elif edit.kind == "insert":
            out[at:at] = edit.payload
        elif edit.kind == "delete":
            del out[at:at + edit.amount]
        elif edit.kind == "dup":
            out[at:at] = out[max(0, at - edit.amount):at]
        else:
            raise ValueError(f"unknown edit kind {edit.kind!r}")
    return bytes(out)


def random_edits(rng: np.random.Generator, count: int) -> list[Edit]:
    """`count` random edits (for long runs without hypothesis)."""
    edits = []
    for _ in range(count):
        kind = EDIT_KINDS[int(rng.integers(0, len(EDIT_KINDS)))]
        run = int(rng.integers(1, 64))
        payload = bytes([int(rng.choice([0, 1, 0x7F, 0x80, 0xFF]))]) if kind == "set" else \
            rng.integers(0, 256, run, dtype=np.uint8).tobytes() if kind in ("overwrite", "insert") else b""
        edits.append(Edit(kind, int(rng.integers(0, 1 << 20)), int(rng.integers(0, 8)) if kind == "flip" else run,
                          payload))
    return edits


# ------------------------------------------------------------------------------------------------ running a case


def run_case(case: Case) -> Outcome:
    """Runs `case` in this process (no time bound): what it did."""
    from adapt_server.audio.decode import AudioDecodeError

    started = time.perf_counter()
    try:
        _call_target(case)
    except AudioDecodeError as exc:
        return Outcome("decode_error", type(exc).__name__, str(exc)[:300], time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - that is exactly what the fuzz test looks for
        return Outcome("crash", type(exc).__name__, traceback.format_exc()[-2000:], time.perf_counter() - started)
    return Outcome("ok", seconds=time.perf_counter() - started)


def _call_target(case: Case) -> None:
    from adapt_server.audio.decode import decode_audio
    from adapt_server.audio.stream import EncodedStream, Linear16Stream

    pieces = [case.data[i:i + case.piece] for i in range(0, len(case.data), case.piece)]
    if case.target == "harness:hang":
        time.sleep(CASE_TIMEOUT_S * 10)
    elif case.target == "harness:die":
        os._exit(3)
    elif case.target == "decode_audio":
        decode_audio(case.data)
    elif case.target == "decode_audio_lenient":
        decode_audio(case.data, strict=False)
    elif case.target == "linear16":
        stream = Linear16Stream(case.sample_rate, case.channels)
        for piece in pieces:
            stream.push(piece)
        stream.finish()
    elif case.target == "encoded":
        stream = EncodedStream(lambda samples: None, case.sample_rate if case.declare_rate else 0)
        try:
            for piece in pieces:
                stream.push(piece)
        finally:
            stream.finish(timeout=CASE_TIMEOUT_S)
    else:
        raise ValueError(f"unknown target {case.target!r}")


CASE_TIMEOUT_S = 10.0  # wall-clock bound per case; a valid 0.25 s file decodes in about a millisecond


CHILD_START_TIMEOUT_S = 120.0  # a spawned child imports numpy, PyAV and the decoders before its first case


def _child_loop(connection) -> None:
    import adapt_server.audio.decode  # noqa: F401 - imported before the first case, so no case pays for it
    import adapt_server.audio.stream  # noqa: F401
    connection.send("ready")
    while True:
        case = connection.recv()
        if case is None:
            return
        connection.send(run_case(case))


class CaseRunner:
    """Runs cases one at a time in a child process (started once, restarted after a hang or a death), each
    bounded by `timeout_s` of wall-clock time.

    The child is spawned, not forked: a fork of the test process (by then holding gRPC, torch and
    OpenTelemetry threads and objects) segfaulted in the child's garbage collector now and then (a full CI run,
    3 of 20 fuzz tests, each on a different case), which read as a decoder crash."""

    def __init__(self, timeout_s: float = CASE_TIMEOUT_S):
        self.timeout_s = timeout_s
        self._context = multiprocessing.get_context("spawn")
        self._process = None
        self._connection = None

    def __enter__(self) -> CaseRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def run(self, case: Case) -> Outcome:
        if self._process is None or not self._process.is_alive():
            self._start()
        started = time.perf_counter()
        self._connection.send(case)
        if not self._connection.poll(self.timeout_s):
            self._kill()
            return Outcome("hang", message=f"no answer within {self.timeout_s:g} s", seconds=self.timeout_s)
        try:
            return self._connection.recv()
        except EOFError:
            self._process.join(5)
            code = self._process.exitcode
            self._kill()
            return Outcome("died", message=f"the child process died (exit code {code})",
                           seconds=time.perf_counter() - started)

    def close(self) -> None:
        if self._process is not None and self._process.is_alive():
            try:
                self._connection.send(None)
                self._process.join(5)
            except (BrokenPipeError, OSError):
                pass
        self._kill()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_child_loop, args=(child,), daemon=True)
        self._process.start()
        child.close()
        if not parent.poll(CHILD_START_TIMEOUT_S) or parent.recv() != "ready":
            raise RuntimeError(f"the fuzz child process did not start within {CHILD_START_TIMEOUT_S:g} s")
        self._connection = parent

    def _kill(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        self._process = None
        self._connection = None
